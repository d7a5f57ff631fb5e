export * from './campaigns';
export * from './auth';
export * from './audit';
export * from './delegates';
export * from './suggestions';
