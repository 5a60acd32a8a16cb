import { Gender } from '../../common/validation';

/** Where a person or an organization stands in verification, as profiles show it. */
export type VerificationStatus = 'unverified' | 'pending' | 'verified' | 'rejected';
export const VERIFICATION_STATUSES: readonly VerificationStatus[] = [
  'unverified',
  'pending',
  'verified',
  'rejected',
];

export type VerificationKind = 'real_name' | 'enterprise';
export const VERIFICATION_KINDS: readonly VerificationKind[] = ['real_name', 'enterprise'];

/**
 * A request's own lifecycle. `superseded`: the subject changed the data before anyone decided, so a
 * newer request replaced this one (a reviewer must never approve data that is no longer on file).
 */
export type RequestStatus = 'pending' | 'verified' | 'rejected' | 'superseded';
export const REQUEST_STATUSES: readonly RequestStatus[] = ['pending', 'verified', 'rejected', 'superseded'];

export type Decision = 'approve' | 'reject';

/** What a reviewer sees of a real-name submission: the ID number only ever masked. */
export interface PersonSnapshot {
  realName: string;
  gender: Gender;
  birthDate: string;
  idNumberMasked: string;
}

export interface EnterpriseSnapshot {
  companyName: string;
  creditCode: string;
  contactPerson: string;
  contactPhone: string;
  email: string;
}

export type SubmissionSnapshot = PersonSnapshot | EnterpriseSnapshot;
