// Friendly names for the generated OpenAPI schema types: the rest of the app imports these,
// so a backend schema change surfaces as a type error where the field is used.
import type { components } from './schema';

type Schemas = components['schemas'];

export type ExecuteRequest = Schemas['ExecuteRequest'];
export type ExecutionResult = Schemas['ExecutionResult'];
export type SubmitResult = Schemas['SubmitResult'];
export type Submission = Schemas['Submission'];
export type SubmissionPage = Schemas['SubmissionPage'];
export type RuntimeInfo = Schemas['RuntimeOut'];
export type RunStatus = Schemas['RunStatus'];
export type Violation = Schemas['ViolationOut'];
export type FieldProblem = Schemas['FieldProblem'];
export type PolicyRejection = Schemas['PolicyRejection'];
export type InvalidRequestBody = Schemas['InvalidRequestBody'];
export type RateLimited = Schemas['RateLimited'];
export type ErrorBody = Schemas['ErrorBody'];
export type Limits = Schemas['LimitsOut'];
