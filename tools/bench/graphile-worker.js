// graphile-worker contender for `make bench`: enqueues COUNT no-op jobs with
// graphile_worker.add_jobs, then times one worker pool in the configuration the graphile-worker
// docs give for their own performance figures (concurrentJobs 24, maxPoolSize 25,
// localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0) draining them all.
//
//   node tools/bench/graphile-worker.js DATABASE_URL COUNT
//
// Prints one JSON line: {"jobs":…, "seconds":…, "jobs_per_s":…, "left":…, "version":…, "config":{…}}
// The clock runs from just before run() until every job has run and the pool has stopped (which
// flushes the batched completions); "left" counts jobs still in the table afterwards (0 expected).
"use strict";
const path = require("path");
const modules = process.env.GW_MODULES || path.resolve(__dirname, "../../var/bench/node_modules");
const { run, runMigrations } = require(path.join(modules, "graphile-worker"));
const { Pool } = require(path.join(modules, "pg"));
const gwVersion = require(path.join(modules, "graphile-worker/package.json")).version;

const [connectionString, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!connectionString || !(count > 0)) {
  console.error("usage: graphile-worker.js DATABASE_URL COUNT");
  process.exit(2);
}

const config = {
  connectionString,
  concurrentJobs: 24,
  maxPoolSize: 25,
  localQueue: { size: 500 },
  completeJobBatchDelay: 0,
  failJobBatchDelay: 0,
};
async function main() {
  const preset = { worker: config };
  await runMigrations({ preset, logger: makeLogger() });
  const pool = new Pool({ connectionString, max: 1 });
  await pool.query("delete from graphile_worker._private_jobs");
  // Enqueue in batches of 10,000 jobs per add_jobs call.
  for (let done = 0; done < count; done += 10000) {
    const n = Math.min(10000, count - done);
    await pool.query(
      `select count(*) from graphile_worker.add_jobs(array(
         select row('noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec
           from generate_series(1, $1::int)))`,
      [n],
    );
  }
  await pool.query("vacuum analyze graphile_worker._private_jobs");
  await pool.query("checkpoint");

  let ran = 0;
  let allRan;
  const finished = new Promise((resolve) => { allRan = resolve; });
  const taskList = {
    noop: async () => {
      if (++ran === count) allRan();
    },
  };
  const t0 = process.hrtime.bigint();
  const runner = await run({ preset, taskList, noHandleSignals: true, logger: makeLogger() });
  const timeout = setTimeout(() => allRan(), 30 * 60 * 1000); // bounded: never hang the bench
  await finished;
  clearTimeout(timeout);
  await runner.stop();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const left = Number((await pool.query("select count(*) from graphile_worker._private_jobs")).rows[0].count);
  await pool.end();
  const { connectionString: _omit, ...shown } = config;
  console.log(JSON.stringify({
    jobs: ran, seconds, jobs_per_s: ran / seconds, left, version: gwVersion,
    node: process.version, config: shown,
  }));
}

function makeLogger() {
  const { Logger } = require(path.join(modules, "graphile-worker"));
  return new Logger(() => (level, message) => {
    if (level === "error") console.error("graphile-worker:", message);
  });
}

main().catch((e) => {
  console.error("graphile-worker bench failed:", e && e.stack ? e.stack : e);
  process.exit(1);
});
