// Test data shared by the browser specs.

// A fresh valid resident ID number (GB 11643-1999), so every run registers someone new. Random over
// about nine million numbers: the clock alone (once used here) gave only a thousand, and two specs of
// one run drew the same number.
export function newResidentId() {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const r = (n) => Math.floor(Math.random() * n);
  const two = (n) => String(n).padStart(2, '0');
  const first17 = `310107${1960 + r(40)}${two(1 + r(12))}${two(10 + r(19))}${String(r(1000)).padStart(3, '0')}`;
  const s = [...first17].reduce((acc, d, i) => acc + Number(d) * w[i], 0);
  return first17 + '10X98765432'[s % 11];
}
