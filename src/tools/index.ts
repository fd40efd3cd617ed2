// Every tool Switchboard serves, in the order tools/list shows them.
import { invokeTools } from './invoke.js';
import { jobTools } from './jobs.js';
import { keyTools } from './keys.js';
import { packTools } from './packs.js';
import { policyTools } from './policies.js';
import { registryTools } from './registry.js';
import { registryDiscoveryTools } from './registry-discovery.js';
import { registryHealthTools } from './registry-health.js';
import { registryTransferTools } from './registry-transfer.js';
import { routeTools } from './routes.js';
import { traceTools } from './traces.js';
import type { Tool } from './tool.js';

export const allTools: Tool[] = [...registryTools, ...registryDiscoveryTools, ...registryHealthTools, ...registryTransferTools, ...routeTools, ...invokeTools, ...jobTools, ...policyTools, ...traceTools, ...packTools, ...keyTools];
