using Strata.OpenApi.Approval;

namespace Strata.ApiKeys.OpenApi.Tests;

public sealed class ApprovedDocumentTests
{
    [Fact]
    public async Task Whole_OpenApi_3_1_document_equals_the_approved_one()
    {
        var json = await DocumentHost.JsonAsync();

        ApprovedDocument.Verify(json, "api-keys.openapi-3.1", ApprovedDocument.Folder());
    }

    [Fact]
    public async Task Whole_OpenApi_3_0_document_equals_the_approved_one()
    {
        var json = await DocumentHost.JsonAsync(version: Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0);

        ApprovedDocument.Verify(json, "api-keys.openapi-3.0", ApprovedDocument.Folder());
    }
}
