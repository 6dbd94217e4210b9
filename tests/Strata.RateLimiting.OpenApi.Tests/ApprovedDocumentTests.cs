using Strata.OpenApi.Approval;

namespace Strata.RateLimiting.OpenApi.Tests;

public sealed class ApprovedDocumentTests
{
    [Fact]
    public async Task Whole_document_with_the_default_headers_equals_the_approved_one()
    {
        var json = await DocumentHost.JsonAsync();

        ApprovedDocument.Verify(json, "rate-limiting.openapi", ApprovedDocument.Folder());
    }

    [Fact]
    public async Task Whole_document_with_only_the_legacy_headers_equals_the_approved_one()
    {
        var json = await DocumentHost.JsonAsync(settings: o =>
        {
            o.EmitRateLimitHeaders = false;
            o.EmitLegacyHeaders = true;
        });

        ApprovedDocument.Verify(json, "rate-limiting.legacy-headers.openapi", ApprovedDocument.Folder());
    }
}
