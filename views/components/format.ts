/** Display formatting shared by every page: time (src/lib/time.core) and rates (src/lib/number.core), the modules exports use too. */
export { chinaDate, chinaDateOrDash, chinaDateTime, chinaDateTimeLong, formatDate } from '../../src/lib/time.core';
export { formatRate } from '../../src/lib/number.core';
export { barChart } from '../../src/lib/bar-chart.core';
