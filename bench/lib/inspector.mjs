// A Chrome DevTools Protocol session with one worker of a workerd started with `inspectorPort`
// (Miniflare): send(method, params) resolves with the command's result. Shared by profile.mjs (CPU
// profiles) and stream-memory.mjs (heap figures).
export const connectInspector = async (inspectorPort, workerName) => {
  const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = list.find((entry) => entry.id.endsWith(`:${workerName}`) || entry.title === workerName) ?? list[0];
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let seq = 0;
  const waiting = new Map();
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.id !== undefined) waiting.get(data.id)?.(data);
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, (data) => {
        waiting.delete(id);
        if (data.error) reject(new Error(JSON.stringify(data.error)));
        else resolve(data.result);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
};
