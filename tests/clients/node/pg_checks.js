// node-postgres (pg, pg-cursor, pg-copy-streams) against a server
// (PGHOST/PGPORT/PGUSER/PGDATABASE from the environment): queries with
// parameters, prepared (named) statements, binary results, errors with
// their fields (code, constraint, table, column, position), transactions,
// cursors read in batches, COPY FROM STDIN / TO STDOUT streams (text and
// csv), pools of several clients, LISTEN/NOTIFY through the 'notification'
// event. Prints one `ok NAME` / `FAIL NAME: reason` line per check, for
// tests/clients/mod.rs.
'use strict';
const assert = require('assert/strict');
const { Client, Pool } = require('pg');
const Cursor = require('pg-cursor');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');
const { pipeline } = require('stream/promises');
const { Readable, Writable } = require('stream');

const T = 'c_node_items';
const TIMEOUT_MS = 30000;
let c;

function withTimeout(p) {
  let timer;
  const t = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function expectError(promise, code) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, code, `SQLSTATE (${e.message})`);
    return e;
  }
  throw new Error('no error raised');
}

const checks = [
  ['connect', async () => {
    c = new Client({ application_name: 'node-check' });
    await c.connect();
    const r = await c.query('SHOW server_version_num');
    assert.equal(Math.floor(Number(r.rows[0].server_version_num) / 10000), 15);
    const a = await c.query('SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()');
    assert.equal(a.rows[0].application_name, 'node-check');
  }],
  ['create_table', async () => {
    await c.query(`DROP TABLE IF EXISTS ${T}`);
    await c.query(`CREATE TABLE ${T} (id serial PRIMARY KEY, name text NOT NULL UNIQUE, qty int, price numeric(6,2), at timestamp)`);
  }],
  ['parameterized_queries', async () => {
    const r = await c.query(`INSERT INTO ${T} (name, qty, price, at) VALUES ($1, $2, $3, $4) RETURNING id, name`,
      ['one', 1, '2.50', '2024-03-01 10:00:00']);
    assert.deepEqual(r.rows, [{ id: 1, name: 'one' }]);
    assert.equal(r.rowCount, 1);
    assert.equal(r.command, 'INSERT');
    for (let i = 0; i < 20; i++) await c.query(`INSERT INTO ${T} (name, qty) VALUES ($1, $2)`, [`n${i}`, i]);
    const s = await c.query(`SELECT count(*)::int AS n, sum(qty)::int AS s FROM ${T} WHERE name LIKE $1`, ['n%']);
    assert.deepEqual(s.rows, [{ n: 20, s: 190 }]);
  }],
  ['result_fields', async () => {
    const r = await c.query(`SELECT id, name, price * 2 AS p FROM ${T} WHERE id = 1`);
    const oid = (await c.query(`SELECT '${T}'::regclass::oid AS oid`)).rows[0].oid;
    assert.deepEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [['id', 23], ['name', 25], ['p', 1700]]);
    assert.deepEqual(r.fields.map((f) => [f.tableID, f.columnID]), [[Number(oid), 1], [Number(oid), 2], [0, 0]]);
  }],
  ['prepared_named', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await c.query({ name: 'node_by_name', text: `SELECT qty FROM ${T} WHERE name = $1`, values: [`n${i}`] });
      assert.equal(r.rows[0].qty, i);
    }
  }],
  ['binary_results', async () => {
    const r = await c.query({ text: 'SELECT $1::int4 AS a, $2::text AS b', values: [7, 'x'], binary: true });
    assert.equal(r.rows[0].a.readInt32BE ? r.rows[0].a.readInt32BE(0) : r.rows[0].a, 7);
  }],
  ['row_mode_array', async () => {
    const r = await c.query({ text: `SELECT name, qty FROM ${T} WHERE qty < 2 ORDER BY qty, name`, rowMode: 'array' });
    assert.deepEqual(r.rows, [['n0', 0], ['n1', 1], ['one', 1]]);
  }],
  ['unique_violation_fields', async () => {
    const e = await expectError(c.query(`INSERT INTO ${T} (name) VALUES ($1)`, ['one']), '23505');
    assert.equal(e.constraint, `${T}_name_key`, 'constraint');
    assert.equal(e.table, T, 'table');
    assert.equal(e.schema, 'public', 'schema');
    assert.equal(e.detail, 'Key (name)=(one) already exists.', 'detail');
  }],
  ['not_null_fields', async () => {
    const e = await expectError(c.query(`INSERT INTO ${T} (qty) VALUES (1)`), '23502');
    assert.equal(e.column, 'name', 'column');
    assert.equal(e.table, T, 'table');
  }],
  ['syntax_error_position', async () => {
    const e = await expectError(c.query('SELECT * FORM x'), '42601');
    assert.equal(e.position, '10');
    assert.equal(e.severity, 'ERROR');
  }],
  ['error_in_prepared_does_not_hang', async () => {
    await expectError(c.query({ name: 'node_bad', text: 'SELECT * FROM c_node_missing WHERE a = $1', values: [1] }), '42P01');
    await expectError(c.query('SELECT 1 / $1::int', [0]), '22012');
    assert.equal((await c.query('SELECT 5 AS v')).rows[0].v, 5);
  }],
  ['transactions', async () => {
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${T} (name) VALUES ('tx')`);
    await expectError(c.query('SELECT nope'), '42703');
    await expectError(c.query('SELECT 1'), '25P02');
    await c.query('ROLLBACK');
    const r = await c.query(`SELECT count(*)::int AS n FROM ${T} WHERE name = 'tx'`);
    assert.equal(r.rows[0].n, 0);
  }],
  ['cursor', async () => {
    await c.query('BEGIN');
    const cur = c.query(new Cursor(`SELECT qty FROM ${T} WHERE name LIKE 'n%' ORDER BY qty`));
    const first = await cur.read(5);
    assert.deepEqual(first.map((r) => r.qty), [0, 1, 2, 3, 4]);
    const rest = await cur.read(100);
    assert.equal(rest.length, 15);
    await cur.close();
    await c.query('COMMIT');
  }],
  ['cursor_batches', async () => {
    const cur = c.query(new Cursor(`SELECT qty, name FROM ${T} WHERE name LIKE $1 ORDER BY qty`, ['n%'], { rowMode: 'array' }));
    const sizes = [];
    let sum = 0;
    for (;;) {
      const rows = await cur.read(6);
      if (rows.length === 0) break;
      sizes.push(rows.length);
      sum += rows.reduce((a, r) => a + r[0], 0);
    }
    await cur.close();
    assert.deepEqual(sizes, [6, 6, 6, 2]);
    assert.equal(sum, 190);
    assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1, 'usable after the cursor');
  }],
  ['copy_from_stdin_text', async () => {
    await c.query('CREATE TABLE c_node_copy (id int PRIMARY KEY, t text, n numeric)');
    const data = ['1\tplain\t1.5\n', '2\ttab\\there\t\\N\n', '3\t\\N\t-2\n'];
    await pipeline(Readable.from(data), c.query(copyFrom('COPY c_node_copy FROM STDIN')));
    const r = await c.query('SELECT id, t, n FROM c_node_copy ORDER BY id');
    assert.deepEqual(r.rows, [{ id: 1, t: 'plain', n: '1.5' }, { id: 2, t: 'tab\there', n: null }, { id: 3, t: null, n: '-2' }]);
  }],
  ['copy_from_stdin_csv', async () => {
    const stream = c.query(copyFrom("COPY c_node_copy FROM STDIN (FORMAT csv, HEADER, NULL 'x')"));
    await pipeline(Readable.from(['id,t,n\n', '4,"comma, and ""quote""",x\n5,"multi\nline",0.25\n']), stream);
    assert.equal(stream.rowCount, 2, 'rowCount');
    const r = await c.query('SELECT t, n FROM c_node_copy WHERE id >= 4 ORDER BY id');
    assert.deepEqual(r.rows, [{ t: 'comma, and "quote"', n: null }, { t: 'multi\nline', n: '0.25' }]);
  }],
  ['copy_to_stdout', async () => {
    const collect = async (sql) => {
      const chunks = [];
      await pipeline(c.query(copyTo(sql)), new Writable({ write(chunk, _e, cb) { chunks.push(chunk); cb(); } }));
      return Buffer.concat(chunks).toString();
    };
    assert.equal(await collect('COPY (SELECT * FROM c_node_copy WHERE id < 4 ORDER BY id) TO STDOUT'),
      '1\tplain\t1.5\n2\ttab\\there\t\\N\n3\t\\N\t-2\n');
    assert.equal(await collect('COPY (SELECT * FROM c_node_copy WHERE id >= 4 ORDER BY id) TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE (t))'),
      'id,t,n\n4,"comma, and ""quote""",\n5,"multi\nline",0.25\n');
  }],
  ['copy_error', async () => {
    const stream = c.query(copyFrom('COPY c_node_copy FROM STDIN'));
    const e = await expectError(pipeline(Readable.from(['9\tok\t1\n', '1\tdup\t2\n']), stream), '23505');
    assert.equal(e.constraint, 'c_node_copy_pkey', 'constraint');
    const r = await c.query('SELECT count(*)::int AS n FROM c_node_copy');
    assert.equal(r.rows[0].n, 5, 'nothing of the failed COPY');
    await c.query('DROP TABLE c_node_copy');
  }],
  ['pool', async () => {
    const pool = new Pool({ max: 3 });
    const rs = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => pool.query('SELECT $1::int * 2 AS v', [i])));
    assert.deepEqual(rs.map((r) => r.rows[0].v), [2, 4, 6, 8, 10, 12]);
    await pool.end();
  }],
  ['pool_clients', async () => {
    // Several clients checked out at once, each its own backend and
    // transaction; one waits for a row lock another holds.
    const pool = new Pool({ max: 3 });
    const [a, b, d] = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    const pids = await Promise.all([a, b, d].map(async (x) => (await x.query('SELECT pg_backend_pid() AS p')).rows[0].p));
    assert.equal(new Set(pids).size, 3, 'three backends');
    assert.equal(pool.totalCount, 3);
    await a.query('BEGIN');
    await a.query(`UPDATE ${T} SET qty = qty + 100 WHERE name = 'n0'`);
    const waiting = b.query(`UPDATE ${T} SET qty = qty + 1 WHERE name = 'n0' RETURNING qty`);
    const seen = await d.query(`SELECT qty FROM ${T} WHERE name = 'n0'`);
    assert.equal(seen.rows[0].qty, 0, 'uncommitted change not seen');
    await a.query('COMMIT');
    assert.equal((await waiting).rows[0].qty, 101, 'the waiter sees the commit');
    await b.query(`UPDATE ${T} SET qty = 0 WHERE name = 'n0'`);
    [a, b, d].forEach((x) => x.release());
    await pool.end();
  }],
  ['notifications_in_order', async () => {
    const got = [];
    const done = new Promise((res) => {
      const h = (m) => {
        got.push([m.channel, m.payload]);
        if (got.length === 3) {
          c.off('notification', h);
          res();
        }
      };
      c.on('notification', h);
    });
    await c.query('LISTEN node_a');
    await c.query('LISTEN "Node B"');
    const o = new Client();
    await o.connect();
    await o.query('BEGIN');
    await o.query("NOTIFY node_a, 'one'");
    await o.query("SELECT pg_notify('Node B', 'two')");
    await o.query("NOTIFY node_a, 'one'"); // the same again in one transaction: sent once
    await o.query("NOTIFY node_a, 'three'");
    await o.query('COMMIT');
    await o.end();
    await done;
    assert.deepEqual(got, [['node_a', 'one'], ['Node B', 'two'], ['node_a', 'three']]);
    await c.query('UNLISTEN *');
  }],
  ['notice', async () => {
    const got = [];
    const h = (n) => got.push([n.severity, n.code, n.message]);
    c.on('notice', h);
    await c.query('DROP TABLE IF EXISTS c_node_never');
    c.off('notice', h);
    assert.deepEqual(got, [['NOTICE', '00000', 'table "c_node_never" does not exist, skipping']]);
  }],
  ['listen_notify', async () => {
    const got = new Promise((res) => c.once('notification', (m) => res([m.channel, m.payload])));
    await c.query('LISTEN node_chan');
    const o = new Client();
    await o.connect();
    await o.query("NOTIFY node_chan, 'hi'");
    await o.end();
    assert.deepEqual(await got, ['node_chan', 'hi']);
    await c.query('UNLISTEN *');
  }],
  ['json_result', async () => {
    const r = await c.query(`SELECT json_build_object('a', 1) AS j`);
    assert.deepEqual(r.rows[0].j, { a: 1 });
  }],
  ['cleanup', async () => {
    await c.query(`DROP TABLE ${T}`);
    await c.end();
  }],
];

(async () => {
  for (const [name, fn] of checks) {
    try {
      await withTimeout(fn());
      console.log(`ok ${name}`);
    } catch (e) {
      console.log(`FAIL ${name}: ${String(e && e.message).replace(/\n/g, ' | ').slice(0, 400)}`);
    }
  }
  process.exit(0);
})();
