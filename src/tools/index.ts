// Every tool Switchboard serves, in the order tools/list shows them.
import { registryTools } from './registry.js';
import type { Tool } from './tool.js';

export const allTools: Tool[] = [...registryTools];
