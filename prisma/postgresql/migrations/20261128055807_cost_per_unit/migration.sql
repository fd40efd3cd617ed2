-- AlterTable
ALTER TABLE "Route" ADD COLUMN     "costPerUnit" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "ServerVersion" ADD COLUMN     "costPerUnit" DOUBLE PRECISION;
