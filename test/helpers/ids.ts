const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** A resident ID with a correct GB 11643 check character (test data only). */
export function makeId(birth: string, seq = 1, region = '370202'): string {
  const body = `${region}${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((s, ch, i) => s + Number(ch) * WEIGHTS[i]!, 0);
  return body + CHECK[sum % 11]!;
}
