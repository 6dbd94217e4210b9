using System.Runtime.CompilerServices;
using Microsoft.OpenApi;
using Strata.OpenApi.Approval;

namespace Strata.Swashbuckle.Tests;

public sealed class ApprovedDocumentTests
{
    [Fact]
    public async Task Whole_OpenApi_3_0_document_of_the_three_packages_equals_the_approved_one()
    {
        var json = await CombinedHost.JsonAsync();

        ApprovedDocument.Verify(json, "swashbuckle.openapi-3.0", Folder());
    }

    [Fact]
    public async Task Whole_OpenApi_3_1_document_of_the_three_packages_equals_the_approved_one()
    {
        var json = await CombinedHost.JsonAsync(OpenApiSpecVersion.OpenApi3_1);

        ApprovedDocument.Verify(json, "swashbuckle.openapi-3.1", Folder());
    }

    [Fact]
    public async Task Whole_document_of_every_kind_of_rate_limit_policy_with_both_header_sets_equals_the_approved_one()
    {
        var json = await RateLimitHost.JsonAsync(o => o.EmitLegacyHeaders = true);

        ApprovedDocument.Verify(json, "swashbuckle.rate-limits", Folder());
    }

    [Fact]
    public async Task Whole_document_of_every_kind_of_rate_limit_policy_with_no_RateLimit_headers_equals_the_approved_one()
    {
        var json = await RateLimitHost.JsonAsync(o => o.EmitRateLimitHeaders = false);

        ApprovedDocument.Verify(json, "swashbuckle.rate-limits.no-headers", Folder());
    }

    [Fact]
    public async Task Whole_document_of_job_and_admin_endpoints_equals_the_approved_one()
    {
        var json = await JobHost.JsonAsync();

        ApprovedDocument.Verify(json, "swashbuckle.jobs", Folder());
    }

    /// <summary>The Approved folder of the project being compiled (this file is linked into Strata.Swashbuckle11.Tests too).</summary>
    private static string Folder([CallerFilePath] string file = "") =>
#if SWASHBUCKLE11
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "Strata.Swashbuckle11.Tests", "Approved"));
#else
        Path.Combine(Path.GetDirectoryName(file)!, "Approved");
#endif
}
