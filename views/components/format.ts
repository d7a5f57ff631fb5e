/** Display formatting shared by every page: time from the one module that formats it (src/lib/time.core). */
export { chinaDate, chinaDateOrDash, chinaDateTime, chinaDateTimeLong, formatDate } from '../../src/lib/time.core';
