'use strict';
// Electron's install.js (run by `npx install-electron`, and by `require('electron')` the first time it
// finds no binary; Electron 45 no longer runs it during `npm install`) calls
// downloadArtifact({ version, artifactName, force, cacheRoot, checksums, platform, arch }), which the
// real @electron/get 2.x accepts unchanged. Where the download host cannot be reached we say so in
// one line instead of a stack trace: as an npm lifecycle script (older Electron majors) the install
// carries on, run by hand it fails so that `require('electron')` reports the missing binary.
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
          '`npm run dev`/`npm start` need it, everything else works. Run `npx install-electron` when online.\n',
      );
      process.exit(process.env.npm_lifecycle_event ? 0 : 1);
    }
  },
};
