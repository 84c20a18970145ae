/**
 * `npm start`: validated config → database (embedded unless DATABASE_URL) → migrations →
 * queue → HTTP. SIGINT/SIGTERM drain running jobs before exit.
 */
import { loadConfig, ConfigError } from './infra/config/config.js';
import { createLogger } from './infra/log/logger.js';
import { startServer } from './app/server.js';
import { setHeapGrowingPercent } from './infra/runtime/heap.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // A process-wide setting, so the entry point's, not startServer's (tests run many servers in one process).
  setHeapGrowingPercent(config.heapGrowingPercent);
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log, {
    // Staying up without a database would answer 503 forever: exit so a supervisor restarts us.
    onFatal: (err) => {
      console.error(`leadmail stops: ${err.message}`);
      process.exit(1);
    },
  });
  log.info({ url: config.publicUrl, port: server.port, database: server.databaseKind }, 'leadmail is running');
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  console.error(`leadmail failed to start: ${err.message}`);
  process.exit(1);
});
