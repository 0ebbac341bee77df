import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { liveView } from '../../test/fixtures';
import type { LiveView } from '../run/runState';
import { RunProgress } from './RunProgress';

const live = (overrides: Partial<LiveView> = {}): LiveView => liveView({ runningSince: 50_000, ...overrides });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(50_000);
});
afterEach(() => vi.useRealTimers());

describe('RunProgress', () => {
  it('shows the time since the run started, ticking', () => {
    render(<RunProgress busy="run" live={live()} sharing={false} />);
    expect(screen.getByTestId('run-progress')).toHaveTextContent('Running·0.0 s');
    act(() => void vi.advanceTimersByTime(3_400));
    expect(screen.getByTestId('elapsed')).toHaveTextContent('3.4 s');
    act(() => void vi.advanceTimersByTime(1_250));
    expect(screen.getByTestId('elapsed')).toHaveTextContent('4.6 s');
  });

  it('shows no time before the server started the run', () => {
    render(<RunProgress busy="run" live={live({ phase: 'connecting', runningSince: null })} sharing={false} />);
    expect(screen.getByTestId('run-progress')).toHaveTextContent('Running…');
    expect(screen.queryByTestId('elapsed')).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('says, in words, when the program waits for input; the clock goes on', () => {
    const { rerender } = render(<RunProgress busy="run" live={live({ waiting: true })} sharing={false} />);
    act(() => void vi.advanceTimersByTime(2_000));
    expect(screen.getByTestId('run-progress')).toHaveAttribute('data-waiting', 'true');
    expect(screen.getByTestId('run-progress')).toHaveTextContent('Waiting for input·2.0 s');
    // Once Stop is asked for, it is stopping, not waiting.
    rerender(<RunProgress busy="run" live={live({ waiting: true, stopping: true })} sharing={false} />);
    expect(screen.getByTestId('run-progress')).toHaveTextContent('Stopping·2.0 s');
  });

  it('shows a queued run’s place in the line, without a clock, until it starts', () => {
    const { rerender } = render(
      <RunProgress
        busy="run"
        live={live({ phase: 'queued', queue: { position: 1, reason: 'server_full' }, runningSince: null })}
        sharing={false}
      />,
    );
    expect(screen.getByTestId('run-progress')).toHaveTextContent(/^Waiting for a free sandbox \(1 ahead\)$/);
    expect(screen.getByTestId('queued')).toHaveAttribute('data-position', '1');
    expect(screen.getByTestId('queued')).toHaveAttribute('data-reason', 'server_full');
    expect(vi.getTimerCount()).toBe(0);
    rerender(
      <RunProgress
        busy="run"
        live={live({ phase: 'queued', queue: { position: 0, reason: 'client_share' }, runningSince: null })}
        sharing
      />,
    );
    expect(screen.getByTestId('run-progress')).toHaveTextContent(/^Waiting for your other runs to finish \(next in line\)$/);
    act(() => void vi.advanceTimersByTime(5_000));
    rerender(<RunProgress busy="run" live={live({ phase: 'running', runningSince: Date.now() })} sharing={false} />);
    expect(screen.queryByTestId('queued')).toBeNull();
    expect(screen.getByTestId('run-progress')).toHaveTextContent('Running·0.0 s');
  });

  it('stops its timer when the run ends', () => {
    const { unmount } = render(<RunProgress busy="run" live={live()} sharing={false} />);
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
