export * from './campaigns';
export * from './auth';
export * from './audit';
export * from './delegates';
export * from './hearing';
export * from './tally';
export * from './suggestions';
export * from './survey';
