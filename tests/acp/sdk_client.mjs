// A client on the official TypeScript SDK (@agentclientprotocol/sdk): starts the agent command,
// runs one prompt, answers permission requests with allow_once, and prints what it saw as JSON.
// Usage: node sdk_client.mjs SDK_ENTRY CWD PROMPT AGENT [ARGS...]
// PROMPT is text, or a JSON array of content blocks when it starts with "[". With ACP_TEST_FORK
// set (and SDK_ENTRY the unstable one), the session is then forked and the fork asked that.
import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { pathToFileURL } from "node:url";

const [sdkEntry, cwd, prompt, command, ...args] = process.argv.slice(2);
const acp = await import(pathToFileURL(sdkEntry).href);
const agent = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
const stream = acp.ndJsonStream(Writable.toWeb(agent.stdin), Readable.toWeb(agent.stdout));
const updates = [];
const permissions = [];

const app = acp
  .client({ name: "lsp-agent-tests" })
  .onRequest(acp.methods.client.session.requestPermission, ({ params }) => {
    permissions.push(params);
    return { outcome: { outcome: "selected", optionId: "allow_once" } };
  })
  .onNotification(acp.methods.client.session.update, ({ params }) => {
    updates.push(params.update);
  });

const result = await app.connectWith(stream, async (ctx) => {
  const init = await ctx.request(acp.methods.agent.initialize, {
    protocolVersion: acp.PROTOCOL_VERSION,
    clientCapabilities: {},
  });
  const session = await ctx.request(acp.methods.agent.session.new, { cwd, mcpServers: [] });
  const answer = await ctx.request(acp.methods.agent.session.prompt, {
    sessionId: session.sessionId,
    prompt: prompt.startsWith("[") ? JSON.parse(prompt) : [{ type: "text", text: prompt }],
  });
  if (!process.env.ACP_TEST_FORK) return { init, session, answer };
  // session/fork is unstable: only the SDK's unstable entry knows it.
  const fork = await ctx.request(acp.methods.agent.session.fork, {
    sessionId: session.sessionId,
    cwd,
    mcpServers: [],
  });
  const forkAnswer = await ctx.request(acp.methods.agent.session.prompt, {
    sessionId: fork.sessionId,
    prompt: [{ type: "text", text: process.env.ACP_TEST_FORK }],
  });
  return { init, session, answer, fork, forkAnswer };
});
agent.stdin.end();
await new Promise((resolve) => agent.on("exit", resolve));
process.stdout.write(JSON.stringify({ ...result, updates, permissions, exitCode: agent.exitCode }));
