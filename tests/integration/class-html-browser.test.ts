import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classGradeDocument, type ClassGrade } from '../../grade/model.ts';
import { launchOfflineChromium, offlineBrowserUnavailable, type OfflineBrowser } from '../helpers/browser.ts';
import { labspec } from '../helpers/labspec-cli.ts';
import { REPO } from '../helpers/run-npm-test.ts';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.ts';

const unavailable = offlineBrowserUnavailable();
/** Kept after the run (reports/ is not committed): the screenshots, and the pages they show. */
const ARTIFACTS = join(REPO, 'reports', 'test-artifacts', 'class-html');

/** The colour of each status, as the scoreboard's style sheet paints it. */
const COLOURS = {
  pass: 'rgb(31, 136, 61)',
  fail: 'rgb(207, 34, 46)',
  skip: 'rgb(140, 149, 159)',
  error: 'rgb(191, 135, 0)',
};

/** A student name that tries to become markup: it must show as text, run nothing and fetch nothing. */
const HOSTILE_NAME = '<img src=x onerror="document.title=1"><script>document.title=2</script>';

/**
 * class.html and a student report, from a real graded run: five students' labs on three real sshd on loopback
 * (students 1 and 2 on one sshd, so they share its SSH host key: a clone pair; student 5's compute1 refuses the
 * connection: not graded). The labs ask for different CPUs and disk, so the same machine earns different scores.
 * The rubric takes the points off what this machine cannot answer without systemd (firewalld, NetworkManager, chronyd's
 * unit), so those checks error without flagging the labs. Then Debian's Chromium, in a network namespace with no
 * route out, opens the pages from file:// and is asked what it shows.
 */
describe.skipIf(unavailable !== null)(
  `class.html and a student report in Chromium, offline (real sshd; ${unavailable ?? 'root'})`,
  () => {
    const sshds: TestSshd[] = [];
    let dir: string;
    let runDir: string;
    let koreanRunDir: string;
    let grade: ClassGrade;
    let offline: OfflineBrowser;
    let page: Page;
    const requests: string[] = [];
    const dialogs: string[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'labspec-browser-')));
      for (let i = 0; i < 3; i++) sshds.push(await startSshd());
      const refused = await freePort();
      const [a, b, c] = sshds as [TestSshd, TestSshd, TestSshd];
      const knownHosts = join(dir, 'known_hosts');
      writeFileSync(knownHosts, sshds.map((s) => `[127.0.0.1]:${s.port} ${s.hostKeys.ed25519}\n`).join(''));
      // Each sshd authorizes its own client key.
      const lab = (id: string, name: string, lab: string, sshd: TestSshd, compute = sshd.port) => `  - id: "${id}"
    displayName: '${name.replace(/'/g, "''")}'
    lab: { ${lab} }
    defaults: { identityFile: ${sshd.clientKey} }
    hosts:
      - { name: controller, address: 127.0.0.1, port: ${sshd.port}, labAddress: 10.0.0.100, role: controller }
      - { name: compute1, address: 127.0.0.1, port: ${compute}, labAddress: 10.0.0.101, role: compute }
`;
      writeFileSync(
        join(dir, 'class.yaml'),
        `defaults:
  user: root
  knownHostsFile: ${knownHosts}
  connectTimeoutSeconds: 2
rubric:
  points: { firewalld.stopped: 0, firewalld.disabled: 0, networkmanager.stopped: 0, networkmanager.disabled: 0, chrony.service: 0 }
  clones: { facts: [hostKey] }
labs:
${lab('2024-0001', '김민수', 'minCpus: 1, minRootDiskGiB: 1', a)}${lab('2024-0002', '이서연', 'minCpus: 1, minRootDiskGiB: 1', a)}${lab('2024-0003', HOSTILE_NAME, 'minCpus: 512, minRootDiskGiB: 1', b)}${lab('2024-0004', 'Maria García', 'minCpus: 512, minRootDiskGiB: 100000', c)}${lab('2024-0005', '박지훈', 'minCpus: 1', c, refused)}`,
      );
      const run = labspec(['run', '--inventory', join(dir, 'class.yaml'), '--reports', join(dir, 'reports'), '-q'], {
        env: { HOME: dir },
      });
      expect(run.stderr).not.toMatch(/invalid|labspec: (?!gathered)/);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      runDir = realpathSync(join(dir, 'reports', 'latest'));
      grade = classGradeDocument.parse(JSON.parse(readFileSync(join(runDir, 'class.json'), 'utf8')));
      // The same snapshots re-graded offline into the same reports (a second run in the history), in Korean, hints only.
      const replay = labspec(
        ['replay', join(dir, 'reports'), '--reports', join(dir, 'reports'), '--lang', 'ko', '--disclose', 'hints'],
        { env: { HOME: dir } },
      );
      expect(replay.code, replay.stdout + replay.stderr).toBe(1);
      koreanRunDir = realpathSync(join(dir, 'reports', 'latest'));
      expect(koreanRunDir).not.toBe(runDir);

      offline = await launchOfflineChromium(dir);
      const context = await offline.browser.newContext({ viewport: { width: 1500, height: 950 } });
      context.on('request', (request) => requests.push(request.url()));
      page = await context.newPage();
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.goto(pathToFileURL(join(runDir, 'class.html')).href);
    }, 300_000);

    afterAll(async () => {
      try {
        await offline?.close();
      } finally {
        for (const s of sshds) await s.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the run graded the class as the labs are: scores differ, a clone pair, one lab not graded', () => {
      const byId = new Map(grade.labs.map((l) => [l.student.id, l]));
      expect(byId.get('2024-0005')!.state).toBe('not-graded');
      for (const id of ['2024-0001', '2024-0002', '2024-0003', '2024-0004'])
        expect(byId.get(id)!.state, id).toBe('graded');
      expect(byId.get('2024-0001')!.percent).toBeGreaterThan(byId.get('2024-0003')!.percent!);
      expect(byId.get('2024-0003')!.percent).toBeGreaterThan(byId.get('2024-0004')!.percent!);
      expect(grade.cloneGroups.map((g) => g.members.map((m) => m.id).sort())).toContainEqual(
        expect.arrayContaining(['2024-0001', '2024-0002']),
      );
    });

    it('the matrix: one row per student, each cell in the colour of its status in class.json', async () => {
      const shown = await page.$$eval('#board tbody tr', (rows) =>
        rows.map((row) => ({
          id: (row as HTMLElement).dataset.id!,
          cells: Array.from(row.querySelectorAll('td.c')).map((td) => {
            const button = td.querySelector('button');
            return {
              key: button?.dataset.key ?? null,
              colour: button ? getComputedStyle(button).backgroundColor : null,
              symbol: button?.textContent ?? '',
            };
          }),
          badges: Array.from(row.querySelectorAll('th.student .badge')).map((b) => b.className),
        })),
      );
      expect(shown.map((r) => r.id)).toEqual(grade.labs.map((l) => l.student.id));
      for (const lab of grade.labs) {
        const row = shown.find((r) => r.id === lab.student.id)!;
        const cellOf = new Map(lab.cells.map((c) => [c.key, c]));
        expect(row.cells).toHaveLength(grade.columns.length);
        for (const cell of row.cells.filter((c) => c.key !== null)) {
          const status = cellOf.get(cell.key!)!.status;
          expect(cell.colour, `${lab.student.id} ${cell.key} (${status})`).toBe(COLOURS[status]);
        }
        expect(row.cells.filter((c) => c.key !== null)).toHaveLength(lab.cells.length);
        expect(
          row.badges.some((b) => b.includes('clone')),
          lab.student.id,
        ).toBe(lab.clones.length > 0);
        expect(
          row.badges.some((b) => b.includes('state-not-graded')),
          lab.student.id,
        ).toBe(lab.state === 'not-graded');
      }
      const statuses = new Set(grade.labs.flatMap((l) => l.cells.map((c) => c.status)));
      expect([...statuses].sort()).toEqual(['error', 'fail', 'pass', 'skip']);
      await page.screenshot({ path: join(ARTIFACTS, 'class.png'), fullPage: true });
    });

    it('the sections of the tutorial head the columns, in its order', async () => {
      const sections = await page.$$eval('#board th.section', (ths) => ths.map((th) => th.textContent));
      expect(sections).toEqual([
        'The host',
        'Disable firewalld and NetworkManager',
        'Disable SELinux',
        'Name resolution in /etc/hosts',
        'Time with chrony',
        'The lab as a whole',
      ]);
    });

    it('sorting by score: highest first, then lowest first; labs without a grade stay last', async () => {
      const order = () => page.$$eval('#board tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.id));
      const percentOf = new Map(grade.labs.map((l) => [l.student.id, l.state === 'graded' ? l.percent : null]));
      const graded = grade.labs.filter((l) => l.state === 'graded');
      const notGraded = grade.labs.filter((l) => l.state !== 'graded').map((l) => l.student.id);
      const byScore = (direction: number) =>
        [...graded]
          .sort((x, y) => direction * (x.percent! - y.percent!) || x.student.id.localeCompare(y.student.id))
          .map((l) => l.student.id);

      await page.click('#board thead button[data-sort="score"]');
      const descending = await order();
      expect(descending).toEqual([...byScore(-1), ...notGraded]);
      expect(await page.getAttribute('#board thead th.score', 'aria-sort')).toBe('descending');
      const scores = descending.map((id) => percentOf.get(id!)).filter((p) => p !== null) as number[];
      expect(scores).toEqual([...scores].sort((x, y) => y - x));

      await page.click('#board thead button[data-sort="score"]');
      expect(await order()).toEqual([...byScore(1), ...notGraded]);
      expect(await page.getAttribute('#board thead th.score', 'aria-sort')).toBe('ascending');

      await page.click('#board thead button[data-sort="student"]');
      expect(await order()).toEqual(grade.labs.map((l) => l.student.id).sort());
    });

    it('a cell shows its expected, actual, source and fix when clicked, and closes with Escape', async () => {
      const lab = grade.labs.find((l) => l.student.id === '2024-0004')!;
      const failed = lab.cells.find((c) => c.status === 'fail' && c.key === 'controller:cpu.count')!;
      expect(failed, 'cpu.count fails for a lab that asks for 512 CPUs').toBeDefined();
      expect(await page.isHidden('#details')).toBe(true);
      await page.click(`#board tbody tr[data-id="2024-0004"] button[data-key="${failed.key}"]`);
      expect(await page.isVisible('#details')).toBe(true);
      const text = (id: string) => page.textContent(`#d-${id}`);
      expect(await text('student')).toBe(`2024-0004 · Maria García`);
      expect(await text('title')).toBe(`controller › ${grade.columns.find((c) => c.key === failed.key)!.title}`);
      expect(await text('status')).toBe('failed');
      expect(await text('message')).toBe(failed.message);
      expect(await text('expected')).toBe(failed.expected);
      expect(await text('actual')).toBe(failed.actual);
      expect(await text('source')).toBe(failed.source);
      expect(await text('fix')).toBe(failed.fix);
      expect(failed.expected).toContain('512');
      await page.screenshot({ path: join(ARTIFACTS, 'class-details.png') });
      await page.keyboard.press('Escape');
      expect(await page.isHidden('#details')).toBe(true);
    });

    it('the student filter shows only the matching students, by id or by name', async () => {
      const visible = () =>
        page.$$eval('#board tbody tr', (rows) =>
          rows.filter((r) => !(r as HTMLElement).hidden).map((r) => (r as HTMLElement).dataset.id),
        );
      await page.fill('#filter', '0002');
      expect(await visible()).toEqual(['2024-0002']);
      expect(await page.textContent('#shown')).toBe(`1 of ${grade.labs.length} students shown`);
      await page.fill('#filter', 'garcía');
      expect(await visible()).toEqual(['2024-0004']);
      await page.fill('#filter', '김민수');
      expect(await visible()).toEqual(['2024-0001']);
      await page.fill('#filter', 'nobody');
      expect(await visible()).toEqual([]);
      await page.fill('#filter', '');
      expect(await visible()).toHaveLength(grade.labs.length);
    });

    it('a hostile student name is text: no element made from it, nothing run, no dialog', async () => {
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(2);
      expect(await page.title()).toMatch(/^labspec — Class scoreboard — /);
      expect(await page.textContent('#board tbody tr[data-id="2024-0003"] .name')).toBe(HOSTILE_NAME);
      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    it('prints: the controls and the details panel are left out, the colours kept', async () => {
      await page.emulateMedia({ media: 'print' });
      expect(await page.isHidden('.controls')).toBe(true);
      const colour = await page.$eval('#board td.s-fail button', (b) => getComputedStyle(b).backgroundColor);
      expect(colour).toBe(COLOURS.fail);
      const pdf = await page.pdf({ landscape: true, format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      writeFileSync(join(ARTIFACTS, 'class.pdf'), pdf);
      await page.emulateMedia({ media: 'screen' });
    });

    it("a student report: that student's checks by the tutorial's sections, with what to fix", async () => {
      const lab = grade.labs.find((l) => l.student.id === '2024-0004')!;
      await page.goto(pathToFileURL(join(runDir, 'students', `${lab.fileName}.html`)).href);
      const headings = await page.$$eval('section h2', (hs) => hs.map((h) => h.firstChild!.textContent!.trim()));
      expect(headings[0]).toBe('The host');
      expect(await page.textContent('nav.tofix')).toContain('controller › Enough CPUs');
      await page.click('nav.tofix a:has-text("controller › Enough CPUs")');
      expect(await page.evaluate(() => location.hash)).toMatch(/^#check-\d+$/);
      const cpu = page.locator('li.item.s-fail', { hasText: 'Enough CPUs' }).first();
      expect(await cpu.textContent()).toContain(lab.cells.find((c) => c.key === 'controller:cpu.count')!.fix);
      expect(await page.locator('script').count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'student.png'), fullPage: true });
    });

    it('in Korean with --disclose hints: Korean sections and titles, what is wrong, and no command', async () => {
      const lab = grade.labs.find((l) => l.student.id === '2024-0004')!;
      await page.goto(pathToFileURL(join(koreanRunDir, 'students', `${lab.fileName}.html`)).href);
      expect(await page.getAttribute('html', 'lang')).toBe('ko');
      expect(await page.textContent('h1')).toBe('실습 점검 결과');
      const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.firstChild!.textContent!.trim()));
      expect(headings).toContain('호스트 준비');
      expect(headings).toContain('chrony로 시간 동기화');
      const cpu = page.locator('li.item.s-fail', { hasText: 'CPU 개수가 충분하다' }).first();
      const text = (await cpu.textContent())!;
      expect(text).toContain('CPU(코어) 수가 실습에 필요한 개수보다 적습니다.');
      expect(text).not.toContain('기대값');
      expect(text).not.toContain(lab.cells.find((c) => c.key === 'controller:cpu.count')!.fix);
      await page.screenshot({ path: join(ARTIFACTS, 'student-ko.png'), fullPage: true });

      await page.goto(pathToFileURL(join(koreanRunDir, 'class.html')).href);
      expect(await page.textContent('h1')).toBe('labspec · 실습 채점표');
      // Two runs of the same snapshots: each graded student's trend is a flat line through both.
      const trends = await page.$$eval('#board tbody tr', (rows) =>
        rows.map((r) => ({
          id: (r as HTMLElement).dataset.id,
          points: r.querySelector('svg.trend polyline')?.getAttribute('points') ?? null,
        })),
      );
      for (const { id, points } of trends.filter((t) => t.id !== '2024-0005')) {
        const ys = points!.split(' ').map((p) => p.split(',')[1]);
        expect(ys, id).toHaveLength(2);
        expect(ys[0], id).toBe(ys[1]);
      }
      await page.click(`#board tbody tr[data-id="2024-0004"] button[data-key="controller:cpu.count"]`);
      expect(await page.textContent('#d-hint')).toBe('CPU(코어) 수가 실습에 필요한 개수보다 적습니다.');
      expect(await page.isVisible('#d-fixKo')).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, 'class-ko.png') });
    });

    it('nothing was requested from the network: only the pages themselves, from file://', () => {
      expect(requests.length).toBeGreaterThanOrEqual(2);
      expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
      expect(offline.namespace.id).not.toBe(offline.ownNamespace);
      expect(offline.namespace.links).toHaveLength(1);
      expect(offline.namespace.links[0]).toMatch(/^1: lo: <LOOPBACK,UP/);
      for (const route of offline.namespace.routes) expect(route, route).toMatch(/ dev lo /);
      expect(offline.namespace.routes.filter((r) => /^default|via /.test(r))).toEqual([]);
      console.log(`class.html browser test: screenshots and a PDF in ${ARTIFACTS}`);
    });
  },
);
