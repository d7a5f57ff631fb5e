// npm run admin -- create-user --username admin --name 管理员 --role organiser [--venue 市南区] [--department 市教育局] [--email a@b.cn]
// The password comes from SANMIN_PASSWORD, or is generated and printed once.
import { parseArgs } from 'node:util';
import { createStaffUser } from '../auth/users.service';
import { randomToken } from '../lib/crypto';
import { AppError, httpError } from '../lib/errors';
import { openConfiguredDatabase } from './db';

const USAGE = `usage: npm run admin -- create-user --username <name> --name <显示名> --role <organiser|venue_staff|qualifier|statistician|custodian|dept_handler|auditor> [--venue <会场>] [--department <部门>] [--email <工作邮箱>]
The password is read from SANMIN_PASSWORD; without it a random one is generated and printed.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    username: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    venue: { type: 'string' },
    department: { type: 'string' },
  },
});

if (positionals[0] !== 'create-user') {
  console.error(USAGE);
  process.exit(2);
}

const password = process.env['SANMIN_PASSWORD'] || randomToken(12);
const handle = await openConfiguredDatabase();
try {
  const user = await createStaffUser(handle.db, { id: null, name: 'cli' }, {
    username: values.username ?? '',
    displayName: values.name ?? values.username ?? '',
    role: (values.role ?? '') as never,
    venueName: values.venue ?? null,
    departmentName: values.department ?? null,
    password,
  });
  console.log(`created ${values.role} ${user.username}`);
  if (!process.env['SANMIN_PASSWORD']) console.log(`password: ${password}`);
} catch (caught) {
  const err = httpError(caught) ?? caught; // a domain error, as HTTP
  if (err instanceof AppError) {
    console.error(`${err.code}: ${err.message}`);
    for (const [field, message] of Object.entries(err.fields)) console.error(`  ${field}: ${message}`);
    process.exitCode = 1;
  } else {
    throw err;
  }
} finally {
  handle.client.close();
}
