/** `npm run local:stop`: stops the emulator that `npm start -- --keep` left running. */
import { forgetKeptEmulator, isMotoProcess, readKeptEmulator } from './lib/kept-emulator';

async function main(): Promise<number> {
  const kept = readKeptEmulator();
  if (!kept) {
    console.log('No kept emulator is running.');
    return 0;
  }
  process.kill(kept.pid, 'SIGTERM');
  for (let i = 0; i < 30 && isMotoProcess(kept.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isMotoProcess(kept.pid)) process.kill(kept.pid, 'SIGKILL');
  forgetKeptEmulator();
  console.log(`Stopped the emulator at ${kept.endpoint} (pid ${kept.pid}).`);
  return 0;
}

main().then((code) => process.exit(code));
