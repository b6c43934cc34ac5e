/** Users' validation queries on Snowflake: not supported yet (the dialect has no query lexicon to guard them with). */
import type { Endpoint } from '../types';
import { UserQueryFailure, type ReadOnlyRunner, type UserQueryLimits } from '../user-query';

export async function openUserQueryRunner(_endpoint: Endpoint, _limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  throw new UserQueryFailure('user validation queries are not supported on Snowflake yet');
}
