// Every tool Switchboard serves, in the order tools/list shows them.
import { keyTools } from './keys.js';
import { policyTools } from './policies.js';
import { registryTools } from './registry.js';
import { routeTools } from './routes.js';
import type { Tool } from './tool.js';

export const allTools: Tool[] = [...registryTools, ...routeTools, ...policyTools, ...keyTools];
