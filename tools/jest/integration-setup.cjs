// Integration tests need the real servers that tools/scripts/infra.sh provisions.
// Fail fast with the command to run rather than timing out test by test.
module.exports = async () => {
  const missing = ['KAFKA_BROKERS', 'MONGODB_URI'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need ${missing.join(' and ')}: run them through ` +
        '`npm test` or `bash tools/scripts/infra.sh run -- npx jest --selectProjects integration`',
    );
  }
};
