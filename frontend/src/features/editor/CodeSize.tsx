import type { RuntimeInfo } from '../../api/types';

/** The code's lines and characters, under the editor; in red once over the server's limits (when known). */
export function CodeSize({ code, policy }: { code: string; policy: RuntimeInfo['policy'] | null }) {
  const lineCount = code === '' ? 0 : code.split('\n').length;
  return (
    <span
      className={
        policy && (lineCount > policy.max_code_lines || code.length > policy.max_code_length)
          ? 'font-semibold text-red-700 dark:text-red-400'
          : ''
      }
    >
      {lineCount}
      {policy ? ` / ${policy.max_code_lines}` : ''} lines · {code.length.toLocaleString()}
      {policy ? ` / ${policy.max_code_length.toLocaleString()}` : ''} characters
    </span>
  );
}
