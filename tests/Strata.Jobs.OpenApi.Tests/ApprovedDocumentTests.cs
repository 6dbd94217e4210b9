using Strata.OpenApi.Approval;

namespace Strata.Jobs.OpenApi.Tests;

public sealed class ApprovedDocumentTests
{
    [Fact]
    public async Task Whole_document_with_job_and_admin_endpoints_equals_the_approved_one()
    {
        var json = await DocumentHost.JsonAsync();

        ApprovedDocument.Verify(json, "jobs.openapi", ApprovedDocument.Folder());
    }
}
