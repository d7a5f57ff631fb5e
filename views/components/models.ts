/**
 * The shapes the pages of several domains show: the campaign, its groups, departments, venues
 * and materials, and the signed-in staff member. Plain data, declared by the views: a route
 * passes its records as they are (structurally they carry at least these fields); nothing here
 * knows the database.
 */
export interface Campaign {
  id: string;
  code: string;
  name: string;
  year: number;
  status: 'draft' | 'started' | 'closed';
  minutesPerDepartment: number;
  ballotsPerGroup: number;
  createdAt: Date;
}
export interface Department {
  id: string;
  name: string;
  version: number;
  groupId: string | null;
  position: number;
  duties: string;
  goals: string;
  report: string;
}
export interface Group {
  date: string;
  id: string;
  no: number;
  title: string;
  startTime: string;
  version: number;
}
export interface Material {
  id: string;
  title: string;
  position: number;
  kind: 'link' | 'board_image' | 'pdf';
  url: string;
}
export interface Slot {
  start: string;
  end: string;
}
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: 'organiser' | 'venue_staff' | 'qualifier' | 'statistician' | 'custodian' | 'dept_handler' | 'auditor';
  venueName: string | null;
  departmentName: string | null;
}
export interface VenueWithSeats {
  seats: Map<number, number>;
  id: string;
  name: string;
  version: number;
  position: number;
  kind: 'sub' | 'main';
}
export interface AgendaGroup extends Group {
  departments: Department[];
}

