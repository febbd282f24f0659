// Manual entry: npx tsx lab/main.ts up [--scenario NAME] [--keep] | down | status | scenarios
import { LabError, labDown, labStatus, labUp, scenarios } from './index.ts';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const flag = (name: string): string | undefined => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  switch (cmd) {
    case 'up': {
      const r = await labUp({ scenario: flag('--scenario') ?? 'compliant', keep: rest.includes('--keep'), log: (m) => console.error(m) });
      console.log(JSON.stringify(r, null, 2));
      return 0;
    }
    case 'down':
      console.log(JSON.stringify(await labDown()));
      return 0;
    case 'status': {
      const s = await labStatus();
      console.log(JSON.stringify(s, null, 2));
      return s.up ? 0 : 1;
    }
    case 'scenarios':
      for (const s of scenarios) console.log(`${s.name}\t${s.mustFail.join(' ') || '-'}`);
      return 0;
    default:
      console.error('usage: lab/main.ts up [--scenario NAME] [--keep] | down | status | scenarios');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof LabError ? e.message : e);
    process.exit(1);
  },
);
