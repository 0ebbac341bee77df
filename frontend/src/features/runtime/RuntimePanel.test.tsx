import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { runtimeInfo } from '../../test/fixtures';
import { RuntimePanel } from './RuntimePanel';

describe('RuntimePanel', () => {
  it('lists versions, allowed modules, banned builtins and limits', () => {
    render(<RuntimePanel state={{ kind: 'ready', info: runtimeInfo }} />);
    expect(screen.getByText('Runtime: Python 3.11.7, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1')).toBeInTheDocument();
    expect(screen.getByText('pandas')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Importable modules (standard preset)' })).toBeInTheDocument();
    expect(screen.getByText('eval')).toBeInTheDocument();
    const memory = screen.getByRole('row', { name: /Memory/ });
    expect(memory).toHaveTextContent('512 MiB');
    expect(memory).toHaveTextContent('2048 MiB');
    expect(screen.getByText(/at most 100 lines and 10,000 characters/)).toBeInTheDocument();
    expect(screen.getByText(/Rate limit: 10\/minute/)).toBeInTheDocument();
  });

  it("names the operator's own module list and a policy switched off", () => {
    const custom = { ...runtimeInfo, policy: { ...runtimeInfo.policy, preset: 'custom' } };
    const { unmount } = render(<RuntimePanel state={{ kind: 'ready', info: custom }} />);
    expect(screen.getByRole('heading', { name: "Importable modules (the operator's list)" })).toBeInTheDocument();
    unmount();
    const off = { ...runtimeInfo, policy: { ...runtimeInfo.policy, enabled: false } };
    render(<RuntimePanel state={{ kind: 'ready', info: off }} />);
    expect(screen.getByRole('heading', { name: 'Importable modules (policy off: any)' })).toBeInTheDocument();
  });

  it('says when the runtime could not be loaded', () => {
    render(<RuntimePanel state={{ kind: 'failed', message: 'Could not reach the execbox server.' }} />);
    expect(screen.getByText('Runtime: unavailable')).toBeInTheDocument();
  });
});
