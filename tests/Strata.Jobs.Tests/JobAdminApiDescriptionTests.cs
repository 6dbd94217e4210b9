using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Jobs.Tests;

/// <summary>
/// What OpenAPI generators (Microsoft.AspNetCore.OpenApi, Swashbuckle) read of the admin endpoints: the API explorer's
/// descriptions, with the query parameters, route parameters and response types of each route.
/// </summary>
public sealed class JobAdminApiDescriptionTests
{
    [Fact]
    public async Task Every_admin_route_is_described_with_its_query_parameters_and_responses()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddAuthorization();
        builder.Services.AddStrataJobs();
        await using var app = builder.Build();
        app.MapJobAdminEndpoints("/admin/jobs");
        await app.StartAsync();

        var descriptions = app.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items
            .SelectMany(g => g.Items)
            .ToDictionary(d => $"{d.HttpMethod} {d.RelativePath}");

        // The routes mapped at the prefix itself read "admin/jobs/" here, as those of MapJobEndpoints do.
        descriptions.Keys.Should().BeEquivalentTo(
            "GET admin/jobs/", "GET admin/jobs/counts", "GET admin/jobs/queues", "GET admin/jobs/{id}",
            "POST admin/jobs/{id}/requeue", "DELETE admin/jobs/{id}", "POST admin/jobs/requeue", "POST admin/jobs/delete",
            "DELETE admin/jobs/", "POST admin/jobs/queues/{queue}/pause", "POST admin/jobs/queues/{queue}/resume",
            "GET admin/jobs/recurring", "GET admin/jobs/recurring/{name}", "POST admin/jobs/recurring/{name}/pause",
            "POST admin/jobs/recurring/{name}/resume", "POST admin/jobs/recurring/{name}/trigger", "DELETE admin/jobs/recurring/{name}");

        var search = descriptions["GET admin/jobs/"];
        Query(search).Should().BeEquivalentTo("state", "queue", "type", "owner", "createdAfter", "createdBefore", "finishedBefore", "cursor", "limit");
        search.SupportedResponseTypes.Should().Contain(r => r.StatusCode == 200 && r.Type == typeof(AdminJobPage));
        Query(descriptions["POST admin/jobs/requeue"]).Should().BeEquivalentTo("state", "queue", "type", "owner", "createdAfter", "createdBefore", "finishedBefore");
        Query(descriptions["DELETE admin/jobs/"]).Should().NotContain(["cursor", "limit"]);
        descriptions["GET admin/jobs/{id}"].ParameterDescriptions.Should().ContainSingle(p => p.Name == "id" && p.Source == BindingSource.Path);
        descriptions["POST admin/jobs/queues/{queue}/pause"].SupportedResponseTypes.Select(r => r.StatusCode).Should().BeEquivalentTo([204, 401, 403, 404, 503]);
        descriptions.Values.Should().OnlyContain(d => d.SupportedResponseTypes.Any(r => r.StatusCode == 503));
        await app.StopAsync();
    }

    private static IEnumerable<string> Query(ApiDescription description) =>
        description.ParameterDescriptions.Where(p => p.Source == BindingSource.Query).Select(p => p.Name);
}
