// One request to a worker over FastCGI, past nginx: what the worker itself
// answers (its own body limit, say), as "STATUS BODY" on one line.
// Usage: node tests/js/fcgi.mjs SOCKET METHOD PATH TOKEN BODY_FILE
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const [sock, method, path, token, file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tests/js/fcgi.mjs SOCKET METHOD PATH TOKEN BODY_FILE');
  process.exit(2);
}
const body = readFileSync(file);

// A record: version 1, type, request id 1, content, no padding.
const record = (type, content) => {
  const h = Buffer.alloc(8);
  h[0] = 1;
  h[1] = type;
  h.writeUInt16BE(1, 2);
  h.writeUInt16BE(content.length, 4);
  return Buffer.concat([h, content]);
};
const len = (n) => {
  if (n < 128) return Buffer.from([n]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((n | 0x80000000) >>> 0);
  return b;
};
const params = Object.entries({
  REQUEST_METHOD: method, DOCUMENT_URI: path, REQUEST_URI: path, QUERY_STRING: '',
  CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(body.length),
  HTTP_X_USER_TOKEN: token, REQUEST_ID: 'fcgi' + process.pid, SERVER_PROTOCOL: 'HTTP/1.1',
}).map(([k, v]) => Buffer.concat([len(Buffer.byteLength(k)), len(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)]));

const s = connect(sock);
const chunks = [];
s.on('data', (d) => chunks.push(d));
s.on('error', (e) => { console.error(`fcgi: ${e.message}`); process.exit(1); });
s.on('close', () => {
  const all = Buffer.concat(chunks);
  let out = Buffer.alloc(0);
  for (let o = 0; o + 8 <= all.length;) {
    const type = all[o + 1], n = all.readUInt16BE(o + 4), pad = all[o + 6];
    if (type === 6) out = Buffer.concat([out, all.subarray(o + 8, o + 8 + n)]);
    o += 8 + n + pad;
  }
  const text = out.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const status = (/^Status: (\d+)/m.exec(text.slice(0, split)) || [])[1] || '200';
  console.log(`${status} ${text.slice(split + 4).trim()}`);
});
// BEGIN_REQUEST (responder, close when done), PARAMS, STDIN in records of at most 32 KiB.
s.write(record(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])));
s.write(record(4, Buffer.concat(params)));
s.write(record(4, Buffer.alloc(0)));
for (let o = 0; o < body.length; o += 32768) s.write(record(5, body.subarray(o, o + 32768)));
s.write(record(5, Buffer.alloc(0)));
