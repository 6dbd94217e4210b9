namespace Strata.Jobs;

/// <summary>Which of the job endpoints an endpoint is (see <see cref="JobEndpointMetadata"/>).</summary>
public enum JobEndpointKind
{
    /// <summary><c>POST {pattern}</c>: enqueues a job and answers 202 Accepted with <c>Location</c> and <c>Retry-After</c>.</summary>
    Submit = 0,

    /// <summary><c>GET {pattern}/{id}</c>: the job's status; <c>Retry-After</c> while it is not finished.</summary>
    Status = 1,

    /// <summary><c>DELETE {pattern}/{id}</c>: cancels the job.</summary>
    Cancel = 2,

    /// <summary>One of the admin endpoints (<c>MapJobAdminEndpoints</c>): a <c>202</c> answer carries <c>Location</c>.</summary>
    Admin = 3,
}
