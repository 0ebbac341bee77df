import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { KeyHints } from './KeyHints';

describe('KeyHints', () => {
  it('names the keys, and how Tab can leave the editor', () => {
    render(<KeyHints tabMovesFocus={false} />);
    expect(screen.getByTestId('key-hints')).toHaveTextContent(
      'Ctrl+Enter runs · Esc stops · Ctrl+S shares · Ctrl+M lets Tab leave the editor',
    );
    expect(screen.queryByTestId('tab-moves-focus')).not.toBeInTheDocument();
  });

  it('says when Tab moves the focus instead of indenting', () => {
    render(<KeyHints tabMovesFocus />);
    expect(screen.getByTestId('tab-moves-focus')).toHaveTextContent('Tab moves focus (Ctrl+M: Tab indents again)');
  });
});
