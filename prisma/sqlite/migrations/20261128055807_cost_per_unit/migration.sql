-- AlterTable
ALTER TABLE "Route" ADD COLUMN "costPerUnit" REAL;

-- AlterTable
ALTER TABLE "ServerVersion" ADD COLUMN "costPerUnit" REAL;
