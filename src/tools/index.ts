// Every tool Switchboard serves, in the order tools/list shows them.
import { keyTools } from './keys.js';
import { policyTools } from './policies.js';
import { registryTools } from './registry.js';
import { registryDiscoveryTools } from './registry-discovery.js';
import { registryTransferTools } from './registry-transfer.js';
import { routeTools } from './routes.js';
import { traceTools } from './traces.js';
import type { Tool } from './tool.js';

export const allTools: Tool[] = [...registryTools, ...registryDiscoveryTools, ...registryTransferTools, ...routeTools, ...policyTools, ...traceTools, ...keyTools];
