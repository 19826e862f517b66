'use strict';
// Electron's install script exits non-zero when its binary cannot be fetched, which would fail the
// whole `npm install` on machines without access to the download host. We delegate to the real
// @electron/get and, only when the download itself fails, explain and let the install finish:
// everything but the Electron window layer runs under plain Node and Chromium.
const real = require('real-electron-get');

module.exports = {
  ...real,
  async downloadArtifact(options) {
    try {
      return await real.downloadArtifact(options);
    } catch (err) {
      const reason = err && err.message ? err.message.split('\n')[0] : String(err);
      process.stderr.write(
        `cadence: Electron binary not downloaded (${reason}); ` +
          '`npm run dev`/`npm start` need it, everything else works. Re-run `npm rebuild electron` when online.\n',
      );
      process.exit(0);
    }
  },
};
