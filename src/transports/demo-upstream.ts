// The demo MCP server `switchboard seed` registers (`switchboard demo-upstream`): a real stdio MCP
// server with a few harmless tools, so a new user can try routing, invoke, jobs, tasks and traces
// without finding one. `--flavor` names one of two variants, so routes have two servers to choose
// between (and one to fail over to).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { version } from '../version.js';

const text = (t: string) => ({ type: 'text' as const, text: t });

export async function serveDemoUpstream(flavor: string): Promise<void> {
  const server = new McpServer({ name: `switchboard-demo-${flavor}`, version });
  server.registerTool(
    'echo',
    { title: 'Echo', description: 'Answers with the text it is given.', inputSchema: { text: z.string().max(10_000) }, annotations: { readOnlyHint: true } },
    async ({ text: t }) => ({ content: [text(`${flavor}: ${t}`)], structuredContent: { text: t, answeredBy: flavor } }),
  );
  server.registerTool(
    'forecast',
    {
      title: 'Weather forecast (made up)',
      description: 'A made-up, deterministic three-day forecast for a city. Costs one unit per day forecast.',
      inputSchema: { city: z.string().min(1).max(100), days: z.number().int().min(1).max(3).default(3) },
      annotations: { readOnlyHint: true },
    },
    async ({ city, days }) => {
      const seed = [...city].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1000, 7);
      const forecast = Array.from({ length: days }, (_, i) => ({ day: i + 1, highC: 10 + ((seed + i * 7) % 15), sky: ['sunny', 'cloudy', 'rain'][(seed + i) % 3]! }));
      return { content: [text(forecast.map((f) => `day ${f.day}: ${f.sky}, ${f.highC} °C`).join('\n'))], structuredContent: { city, forecast }, _meta: { units: days } };
    },
  );
  server.registerTool(
    'report',
    {
      title: 'Build a report (slow)',
      description: 'Takes `seconds` to build a pretend report, reporting progress each second: try it as a job or an MCP task.',
      inputSchema: { seconds: z.number().int().min(1).max(60).default(5), title: z.string().max(200).default('Monthly report') },
    },
    async ({ seconds, title }, extra) => {
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= seconds; i++) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          extra.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (extra.signal.aborted) return { isError: true, content: [text('Cancelled.')] };
        if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: seconds, message: `section ${i} of ${seconds}` } });
      }
      return { content: [text(`${title}: ${seconds} sections, built by ${flavor}.`)], structuredContent: { title, sections: seconds, builtBy: flavor } };
    },
  );
  await server.connect(new StdioServerTransport());
}
