import { withoutQuotedValues } from '../../lib/redact';

test.each([
  ["Incorrect integer value: 'abc' for column `db`.`t`.`n` at row 1", "Incorrect integer value: '…' for column `db`.`t`.`n` at row 1"],
  ["Duplicate entry 'alice@example.com' for key 'email'", "Duplicate entry '…' for key 'email'"],
  ["Data too long for column 'name' at row 1", "Data too long for column 'name' at row 1"],
  ['invalid input syntax for type integer: "12x"', 'invalid input syntax for type integer: "…"'],
  ['null value in column "email" of relation "users" violates not-null constraint', 'null value in column "email" of relation "users" violates not-null constraint'],
  ['duplicate key value violates unique constraint "users_email_key" Key (email)=(alice@example.com) already exists.', 'duplicate key value violates unique constraint "users_email_key" Key (email)=(…) already exists.'],
  ["value 'it''s secret' is out of range", "value '…' is out of range"],
  ['UNIQUE constraint failed: users.email', 'UNIQUE constraint failed: users.email'],
])('%s', (message, expected) => {
  expect(withoutQuotedValues(message)).toBe(expected);
});
