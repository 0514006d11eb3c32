// Drives page.html in a running headless Chromium over the DevTools protocol.
//   node --experimental-websocket cdp.mjs capture <dir>          writes the offer fixtures
//   node --experimental-websocket cdp.mjs accept  <answer-cmd>   answers each offer with
//        <answer-cmd> <scenario> (offer on stdin, answer on stdout) and applies the answer
import { writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';

const [mode, arg] = process.argv.slice(2);
const PAGE = 'http://127.0.0.1:8765/page.html';

async function connect() {
  for (let i = 0; i < 50; i++) {
    try {
      const list = await (await fetch('http://127.0.0.1:9222/json/list')).json();
      const page = list.find(t => t.type === 'page');
      if (page) return page.webSocketDebuggerUrl;
    } catch (e) { /* browser still starting */ }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error('no page target');
}

const ws = new WebSocket(await connect());
await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
let nextId = 1;
const pending = new Map();
ws.onmessage = m => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
};
function send(method, params) {
  const id = nextId++;
  ws.send(JSON.stringify({ id, method, params }));
  return new Promise(res => pending.set(id, res));
}
async function run(expression) {
  const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.error) throw new Error(JSON.stringify(r.error));
  if (r.result.exceptionDetails) {
    throw new Error(expression + ' -> ' + (r.result.exceptionDetails.exception?.description
        ?? r.result.exceptionDetails.text));
  }
  return r.result.result.value;
}
// Navigate explicitly: the first load can race the local HTTP server.
await send('Page.navigate', { url: PAGE });
for (let i = 0; i < 50 && !(await run("typeof applyAnswer === 'function'")); i++) {
  await new Promise(r => setTimeout(r, 200));
}
const call = (fn, ...args) => run(`${fn}(${args.map(a => JSON.stringify(a)).join(',')})`);

function answerWith(scenario, offer) {
  return execSync(`${arg} ${scenario}`, { input: offer }).toString();
}
async function acceptStep(label, scenario, offer) {
  const answer = answerWith(scenario, offer);
  try {
    const state = await call('applyAnswer', answer);
    console.log(JSON.stringify({ scenario: label, accepted: true, state }));
  } catch (e) {
    console.log(JSON.stringify({ scenario: label, accepted: false, error: e.message }));
    console.error(answer);
  }
}

if (mode === 'capture') {
  writeFileSync(`${arg}/chrome-publish.sdp`, await call('publish'));
  writeFileSync(`${arg}/chrome-publish-receive.sdp`, await call('publishAndReceive'));
  await call('applyAnswer', await call('answerLocally'));
  writeFileSync(`${arg}/chrome-renegotiate-stopped.sdp`, await call('stopAndReoffer', 3));
  writeFileSync(`${arg}/chrome-simulcast.sdp`, await call('simulcast'));
  console.log('captured', await run('navigator.userAgent'));
} else if (mode === 'accept') {
  await acceptStep('publish', 'publish', await call('publish'));
  // (b) publish first, then the re-offer with three recvonly transceivers
  await call('publish');
  await acceptStep('publish-initial', 'publish', await run('pc.localDescription.sdp'));
  await run(`(pc.addTransceiver('audio',{direction:'recvonly'}), pc.addTransceiver('video',{direction:'recvonly'}),
             pc.addTransceiver('video',{direction:'recvonly'}), 0)`);
  await acceptStep('publish-receive', 'publish-receive', await run('offer()'));
  await acceptStep('renegotiate-stopped', 'renegotiate-stopped', await call('stopAndReoffer', 3));
  await acceptStep('simulcast', 'simulcast', await call('simulcast'));
  // a fresh page state offering everything at once (no prior publish round)
  await acceptStep('publish-receive-oneshot', 'publish-receive', await call('publishAndReceive'));
}
ws.close();
