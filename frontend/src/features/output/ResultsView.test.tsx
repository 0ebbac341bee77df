import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { RichResult } from '../../api/types';
import { ResultsView } from './ResultsView';

// A 1×1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('ResultsView', () => {
  it('renders a table, an image and plain text, in order', () => {
    render(
      <ResultsView
        results={[
          {
            mime: 'text/html',
            data: '<table class="dataframe"><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>',
          },
          { mime: 'image/png', data: PNG },
          { mime: 'text/plain', data: "{'x': 1}" },
        ]}
      />,
    );
    const items = within(screen.getByTestId('results')).getAllByRole('listitem');
    expect(items.map((li) => li.dataset.mime)).toEqual(['text/html', 'image/png', 'text/plain']);
    const html = screen.getByTestId('result-html');
    expect(within(html).getByRole('table')).toHaveClass('dataframe');
    expect(within(html).getByRole('columnheader', { name: 'a' })).toBeInTheDocument();
    expect(within(html).getByRole('cell', { name: '1' })).toBeInTheDocument();
    const img = screen.getByRole('img', { name: 'Figure 2 drawn by the program' });
    expect(img).toHaveAttribute('src', `data:image/png;base64,${PNG}`);
    expect(img).toHaveClass('max-w-full');
    expect(screen.getByTestId('result-text').tagName).toBe('PRE');
    expect(screen.getByTestId('result-text')).toHaveTextContent("{'x': 1}");
  });

  it('lets a wide or long table scroll in its own box', () => {
    render(<ResultsView results={[{ mime: 'text/html', data: '<table><tr><td>1</td></tr></table>' }]} />);
    expect(screen.getByTestId('result-html')).toHaveClass('overflow-auto', 'max-h-[60vh]', 'rich-html');
  });

  it('does not let a hostile HTML result run anything or keep its handlers', () => {
    const hostile =
      '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>' +
      '<table><tr><td onclick="window.__pwned=1" onmouseover="window.__pwned=1">cell</td></tr></table>';
    const { container } = render(<ResultsView results={[{ mime: 'text/html', data: hostile }]} />);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelectorAll('[onclick], [onmouseover], [onerror]')).toHaveLength(0);
    expect(screen.getByRole('cell', { name: 'cell' })).toBeInTheDocument();
    expect((window as Window & { __pwned?: unknown }).__pwned).toBeUndefined();
  });

  it('shows a PNG that is not base64 as a message, not as an image', () => {
    render(<ResultsView results={[{ mime: 'image/png', data: '"><script>alert(1)</script>' }]} />);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText('Result 1 is not a valid PNG image.')).toBeInTheDocument();
  });

  it('shows a type it does not know as text', () => {
    // A type the schema does not list (a newer server): JSON, as it would arrive.
    const unknown = JSON.parse('{"mime": "image/svg+xml", "data": "<svg onload=\\"alert(1)\\"></svg>"}') as RichResult;
    render(<ResultsView results={[unknown]} />);
    expect(screen.getByTestId('result-text')).toHaveTextContent('<svg onload="alert(1)"></svg>');
    expect(document.querySelector('svg')).toBeNull();
  });
});
