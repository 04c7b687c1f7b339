// CRM part of the browser test (run.mjs calls it once logged in, after the
// campaign starts made the first contacts): add a contact and hit dedup and a
// conflict, edit and tag it, manage tags, define custom fields and set values,
// import a CSV through the wizard (report, error file, revert), build a segment
// with a live count and its members, and import an XLSX file.
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { xlsx } from './xlsx.mjs';

const IMPORT_CSV = [
  'First Name;Last Name;Telegram;Phone;Budget;Tags',
  'Giulia;Rossi;giulia_r;+39 333 111 2233;1200;italy|newsletter',
  'Paolo;Bianchi;paolo_b;;800;italy',
  'Broken;Row;not a valid username!;;;',
  'Alina;;alina_k;;;crypto',
  'Giulia;Rossi;giulia_r;+39 333 111 2233;1200;italy|newsletter',
].join('\n') + '\n';

export async function crmScenario({ page, step, shot, go, waitFor, users }) {
  const rows = (testid = 'contacts-table') => page.locator(`[data-testid=${testid}] tbody tr`);
  const contactRow = (text) => page.locator('[data-testid=contacts-table] tbody tr', { hasText: text });
  const rowCount = async (n, what, testid) => waitFor(async () => (await rows(testid).count()) === n, what);

  step('contacts: campaign starts became contacts');
  await go('#/contacts', 'Contacts');
  await contactRow(`@${users.alina.username}`).locator('.pill', { hasText: 'active' }).waitFor();
  await contactRow(String(users.marco.id)).waitFor();
  assert.equal(await contactRow(`@${users.alina.username}`).locator('td', { hasText: 'campaign' }).count(), 1, 'source campaign');

  step('add a contact by hand');
  await page.click('[data-testid=add-contact]');
  const form = page.locator('[data-testid=add-contact-form]');
  await form.locator('input[name=new-first_name]').fill('Sofia');
  await form.locator('input[name=new-last_name]').fill('Marino');
  await form.locator('input[name=new-username]').fill('@Sofia_M');
  await form.locator('input[name=new-phone]').fill('+39 347 123 4567');
  await form.locator('select[name=new-priority]').selectOption('high');
  await form.locator('input[name=new-tags]').fill('vip, italy');
  await form.locator('button[type=submit]').click();
  await form.waitFor({ state: 'detached' });
  const sofia = contactRow('@Sofia_M');
  await sofia.locator('td.mono', { hasText: '+393471234567' }).waitFor();
  await sofia.locator('.chip[data-tag=vip]').waitFor();
  await sofia.locator('.chip[data-tag=italy]').waitFor();
  await sofia.locator('.prio-high').waitFor();

  step('dedup: the same username again, then identifiers of two different contacts');
  await page.click('[data-testid=add-contact]');
  await form.locator('input[name=new-username]').fill('sofia_m');
  await form.locator('button[type=submit]').click();
  await form.locator('[data-testid=already-exists]', { hasText: 'username already exists' }).waitFor();
  await form.locator('input[name=new-username]').fill(users.alina.username);
  await form.locator('input[name=new-telegram_id]').fill(String(users.dmitry.id));
  await form.locator('button[type=submit]').click();
  await form.locator('[data-testid=conflicts]', { hasText: 'belong to other contacts' }).waitFor();
  assert.ok(await form.locator('[data-testid=conflicts] a', { hasText: 'open contact' }).count() >= 1, 'conflicts link the contacts');
  await form.locator('button', { hasText: 'Cancel' }).click();
  await rowCount(5, 'five contacts');
  await shot('contacts');

  step('filter contacts by search and tag');
  await page.fill('input[name=q]', 'marino');
  await rowCount(1, 'one search result');
  await page.fill('input[name=q]', '');
  await page.selectOption('select[name=tag]', 'vip');
  await rowCount(1, 'one vip contact');
  await page.selectOption('select[name=tag]', '');
  await rowCount(5, 'all contacts again');

  step('contact page: edit details, a conflict, status and tags');
  await sofia.click();
  await page.locator('h1', { hasText: 'Sofia Marino' }).waitFor();
  const details = page.locator('[data-testid=details]');
  await details.locator('input[name=country]').fill('it');
  await details.locator('input[name=language]').fill('it');
  await details.locator('button[type=submit]').click();
  await page.locator('[data-testid=history] [data-kind=updated]', { hasText: 'IT' }).waitFor();
  assert.equal(await details.locator('input[name=country]').inputValue(), 'IT', 'the country is normalised');
  await details.locator('input[name=username]').fill(users.alina.username);
  await details.locator('button[type=submit]').click();
  await page.locator('[data-testid=conflicts]', { hasText: 'username' }).waitFor();
  await details.locator('button', { hasText: 'Discard' }).click();
  assert.equal(await details.locator('input[name=username]').inputValue(), 'Sofia_M');
  await details.locator('input[name=language]').fill('');
  await details.locator('button[type=submit]').click();
  // The first edit's entry names the language too (empty → it): wait for the one that clears it.
  await page.locator('[data-testid=history] [data-kind=updated]', { hasText: /language\s*it → empty/ }).waitFor();
  await page.reload();
  await page.locator('h1', { hasText: 'Sofia Marino' }).waitFor();
  assert.equal(await details.locator('input[name=language]').inputValue(), '', 'an emptied detail stays cleared');
  await page.selectOption('select[name=priority]', 'medium');
  await page.locator('[data-testid=history] [data-kind=updated]', { hasText: 'medium' }).waitFor();
  const tags = page.locator('[data-testid=contact-tags]');
  await tags.locator('input[name=add-tag]').fill('hot');
  await tags.locator('button[type=submit]').click();
  await tags.locator('.chips-big .chip[data-tag=hot]').waitFor();
  await tags.locator('.chips-big .chip[data-tag=italy] .chip-x').click();
  await tags.locator('.chips-big .chip[data-tag=italy]').waitFor({ state: 'detached' });
  await page.locator('[data-testid=history] [data-kind=untagged]', { hasText: 'italy' }).waitFor();
  const sofiaUrl = page.url();

  step('tags page: add with a colour, counts, rename, delete');
  await go('#/tags', 'Tags');
  const tagRow = (name) => page.locator(`[data-testid=tags-table] tr[data-tag-row="${name}"]`);
  await tagRow('vip').locator('td.num', { hasText: '1' }).waitFor();
  await page.fill('input[name=tag-name]', 'newsletter');
  await page.click('[data-testid=add-tag] .swatch[aria-label="Colour #16a34a"]');
  await page.click('[data-testid=add-tag] button[type=submit]');
  await tagRow('newsletter').locator('td', { hasText: '#16a34a' }).waitFor();
  await page.fill('input[name=tag-name]', 'NEWSLETTER');
  await page.click('[data-testid=add-tag] button[type=submit]');
  await page.locator('[data-testid=add-tag] .alert-error', { hasText: 'already exists' }).waitFor();
  await tagRow('newsletter').locator('button', { hasText: 'Edit' }).click();
  await page.fill('[data-tag-edit=newsletter] input[name=edit-tag-name]', 'news');
  await page.click('[data-tag-edit=newsletter] button[type=submit]');
  await tagRow('news').locator('td', { hasText: '#16a34a' }).waitFor();
  await page.fill('input[name=tag-name]', 'spam-test');
  await page.click('[data-testid=add-tag] button[type=submit]');
  await tagRow('spam-test').waitFor();
  await tagRow('spam-test').locator('button', { hasText: 'Delete' }).click();
  await page.click('.modal button:has-text("Delete tag")');
  await tagRow('spam-test').waitFor({ state: 'detached' });
  await page.fill('input[name=tag-name]', '');
  await shot('tags');

  step('custom fields: a number with a range and a dropdown');
  await go('#/fields', 'Custom fields');
  await page.click('[data-testid=new-field]');
  const fieldForm = page.locator('[data-testid=field-form]');
  await fieldForm.locator('input[name=field-label]').fill('Budget');
  assert.equal(await fieldForm.locator('input[name=field-name]').inputValue(), 'budget', 'the name follows the label');
  await fieldForm.locator('select[name=field-type]').selectOption('number');
  await fieldForm.locator('input[name=field-min]').fill('0');
  await fieldForm.locator('input[name=field-max]').fill('100000');
  await fieldForm.locator('input[name=field-description]').fill('Monthly ad budget, USD');
  await fieldForm.locator('button[type=submit]').click();
  const fieldRow = (name) => page.locator(`[data-testid=fields-table] tr[data-field=${name}]`);
  await fieldRow('budget').locator('td', { hasText: '0 … 100000' }).waitFor();
  await page.click('[data-testid=new-field]');
  await fieldForm.locator('input[name=field-label]').fill('Deal stage');
  await fieldForm.locator('select[name=field-type]').selectOption('dropdown');
  await fieldForm.locator('textarea[name=field-options]').fill('new\nqualified\nwon');
  await fieldForm.locator('button[type=submit]').click();
  await fieldRow('deal_stage').locator('td', { hasText: 'new, qualified, won' }).waitFor();
  await fieldRow('deal_stage').locator('button', { hasText: 'Edit' }).click();
  assert.ok(await fieldForm.locator('input[name=field-name]').isDisabled(), 'the name is fixed after creation');
  assert.ok(await fieldForm.locator('select[name=field-type]').isDisabled(), 'the type is fixed after creation');
  await fieldForm.locator('textarea[name=field-options]').fill('new\nqualified\nwon\nlost');
  await fieldForm.locator('button[type=submit]').click();
  await fieldRow('deal_stage').locator('td', { hasText: 'new, qualified, won, lost' }).waitFor();
  await shot('fields');

  step('set custom field values on a contact');
  await page.goto(sofiaUrl);
  await page.locator('h1', { hasText: 'Sofia Marino' }).waitFor();
  const custom = page.locator('[data-testid=custom-fields]');
  // The input carries the field's range, so the browser refuses an out-of-range value before any request.
  await custom.locator('input[name=field-budget]').fill('250000');
  assert.ok(await custom.locator('input[name=field-budget]').evaluate((el) => el.validity.rangeOverflow), 'max from the definition');
  await custom.locator('input[name=field-budget]').fill('2500');
  await custom.locator('select[name=field-deal_stage]').selectOption('qualified');
  await custom.locator('button[type=submit]').click();
  await waitFor(async () => (await custom.locator('button[type=submit]').isDisabled()), 'the custom fields to be saved');
  await page.reload();
  await page.locator('h1', { hasText: 'Sofia Marino' }).waitFor();
  await waitFor(async () => (await custom.locator('input[name=field-budget]').inputValue()) === '2500', 'budget 2500 after a reload');
  assert.equal(await custom.locator('select[name=field-deal_stage]').inputValue(), 'qualified');
  await shot('contact', { tall: true });

  step('import a CSV through the wizard: preview and mapping');
  await go('#/import', 'Import contacts');
  await page.setInputFiles('input[name=file]', { name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(IMPORT_CSV) });
  const mapping = page.locator('[data-testid=mapping]');
  await mapping.waitFor();
  const expected = ['first_name', 'last_name', 'username', 'phone_number', 'field:budget', 'tags'];
  for (const [i, target] of expected.entries()) {
    assert.equal(await mapping.locator(`select[name=map-${i}]`).inputValue(), target, `column ${i} maps to ${target}`);
  }
  assert.equal(await mapping.locator('tbody tr').count(), 5);
  await mapping.locator('tbody tr', { hasText: 'Giulia' }).first().waitFor();
  await page.check('input[name=mode][value=create_update]');
  await shot('import-wizard', { tall: true });

  step('import: progress, report and the error file');
  await page.click('[data-testid=start-import]');
  await page.locator('[data-testid=import-state]', { hasText: 'done' }).waitFor({ timeout: 20_000 });
  const card = (label) => page.locator('[data-testid=report] .card', { has: page.locator('.card-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.card-value');
  assert.equal(await card('Created').textContent(), '2');
  assert.equal(await card('Updated').textContent(), '1');
  assert.equal(await card('Duplicates').textContent(), '1');
  assert.equal(await card('Errors').textContent(), '1');
  await page.locator('[data-testid=import-errors] tbody tr', { hasText: 'not a valid username' }).locator('td', { hasText: /^4$/ }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=error-file]')]);
  const errorCsv = fs.readFileSync(await download.path(), 'utf8');
  assert.match(errorCsv, /^row,column,reason\r?\n/, `the error file has a header: ${errorCsv.slice(0, 80)}`);
  assert.match(errorCsv, /\n4,/, `the error file names line 4: ${errorCsv}`);
  await shot('import-report');
  const importUrl = page.url();
  await go('#/contacts', 'Contacts');
  await rowCount(7, 'seven contacts after the import');
  await contactRow('@giulia_r').locator('.chip[data-tag=newsletter]').waitFor();
  await contactRow(`@${users.alina.username}`).locator('.chip[data-tag=crypto]').waitFor();

  step('segment: two rules, a live count, members');
  await go('#/segments', 'Segments');
  await page.click('[data-testid=new-segment]');
  await page.locator('h1', { hasText: 'New segment' }).waitFor();
  const live = page.locator('[data-testid=live-count]');
  const liveIs = (n) => waitFor(async () => (await live.getAttribute('data-loading')) === 'no'
    && (await live.locator('.live-number').textContent()) === String(n), `a live count of ${n}`);
  await liveIs(7);
  await page.fill('input[name=segment-name]', 'Italian budgets');
  await page.fill('input[name=segment-description]', 'Tagged italy with a budget of 1000 or more');
  await page.selectOption('select[name=rule-field-0]', 'tag');
  await page.selectOption('select[name=rule-op-0]', 'has');
  await page.selectOption('select[name=rule-value-0]', 'italy');
  await liveIs(2);
  await page.click('[data-testid=add-rule]');
  await page.selectOption('select[name=rule-field-1]', 'field:budget');
  await page.selectOption('select[name=rule-op-1]', 'gte');
  await page.fill('input[name=rule-value-1]', '1000');
  await liveIs(1);
  await page.fill('input[name=rule-value-1]', '500');
  await liveIs(2);
  await page.click('button[type=submit]:has-text("Create segment")');
  await page.locator('h1', { hasText: 'Italian budgets' }).waitFor();
  await rowCount(2, 'two members', 'members-table');
  await page.locator('[data-testid=members-table] tr', { hasText: '@giulia_r' }).waitFor();
  await page.locator('[data-testid=members-table] tr', { hasText: '@paolo_b' }).waitFor();
  await page.fill('input[name=rule-value-1]', '1000');
  await liveIs(1);
  await page.click('button[type=submit]:has-text("Save segment")');
  await rowCount(1, 'one member after saving', 'members-table');
  await shot('segment-editor', { tall: true });
  await page.click('[data-testid=members] a:has-text("Open in Contacts")');
  await page.locator('h1', { hasText: 'Contacts' }).waitFor();
  await rowCount(1, 'the segment filter in contacts');
  await contactRow('@giulia_r').waitFor();

  step('segments list: count and the active switch');
  await go('#/segments', 'Segments');
  const segmentRow = page.locator('[data-testid=segments-table] tr[data-segment="Italian budgets"]');
  await segmentRow.locator('[data-testid=segment-count]', { hasText: '1' }).waitFor();
  await segmentRow.locator('.switch').click();
  await segmentRow.locator('.switch', { hasText: 'inactive' }).waitFor();
  await segmentRow.locator('.switch').click();
  await segmentRow.locator('.switch', { hasText: 'active' }).waitFor();
  await shot('segments');

  step('revert the import');
  await page.goto(importUrl);
  await page.locator('[data-testid=import-state]', { hasText: 'done' }).waitFor();
  await page.click('[data-testid=revert]');
  await page.click('.modal button:has-text("Delete created contacts")');
  await page.locator('[data-testid=import-state]', { hasText: 'reverted' }).waitFor();
  await go('#/contacts', 'Contacts');
  await rowCount(5, 'five contacts after the revert');
  assert.equal(await contactRow('@giulia_r').count(), 0, 'the created contacts are gone');
  await contactRow(`@${users.alina.username}`).locator('.chip[data-tag=crypto]').waitFor();

  step('import an XLSX file: the server reads its header for the mapping, unknown columns reported');
  await go('#/import', 'Import contacts');
  await page.locator('[data-testid=imports-table] tr', { hasText: 'leads.csv' }).locator('.pill', { hasText: 'reverted' }).waitFor();
  const book = xlsx([['first_name', 'username', 'phone_number', 'Favourite colour'], ['Xenia', 'xenia_p', '+49 151 23456789', 'teal']]);
  await page.setInputFiles('input[name=file]', { name: 'partners.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: book });
  await page.locator('[data-testid=import-preview]', { hasText: 'partners.xlsx' }).waitFor();
  assert.equal(await page.locator('[data-testid=mapping]').count(), 0, 'no browser preview for XLSX');
  const xlsxMapping = page.locator('[data-testid=xlsx-mapping]');
  await xlsxMapping.locator('tr[data-column=phone_number] td:nth-child(2)', { hasText: 'Phone' }).waitFor();
  await xlsxMapping.locator('tr[data-column="Favourite colour"] td:nth-child(2)', { hasText: 'ignored' }).waitFor();
  await page.locator('[data-testid=import-preview] .alert-warn', { hasText: 'Favourite colour' }).waitFor();
  assert.equal(await page.locator('[data-testid=imports-table] tr', { hasText: 'partners.xlsx' }).count(), 0,
    'checking the header imports nothing');
  await page.click('[data-testid=start-import]');
  await page.locator('[data-testid=import-state]', { hasText: 'done' }).waitFor({ timeout: 20_000 });
  assert.equal(await card('Created').textContent(), '1');
  await page.locator('.alert-warn', { hasText: 'Favourite colour' }).waitFor();
  await go('#/contacts', 'Contacts');
  await contactRow('@xenia_p').locator('td.mono', { hasText: '+4915123456789' }).waitFor();
}
