using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Strata.RateLimiting.Tests;

public sealed class PartitionTests
{
    private static DefaultHttpContext Request(string address = "203.0.113.7", params Claim[] claims)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (claims.Length > 0)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
        }

        return context;
    }

    [Fact]
    public void By_api_key_reads_the_key_id_claim_that_strata_apikeys_writes()
    {
        var context = Request(claims: new Claim("strata:apikey:id", "key_0001"));

        RatePartition.ByApiKey.Resolve(context).Should().Be("key_0001");
    }

    [Fact]
    public void Requests_without_a_key_are_partitioned_by_client_address()
    {
        RatePartition.ByApiKey.Resolve(Request("198.51.100.4")).Should().Be("anonymous:198.51.100.4");
    }

    [Fact]
    public void By_claim_reads_a_configurable_claim_type()
    {
        var context = Request(claims: new Claim("tenant", "acme"));

        RatePartition.ByClaim("tenant").Resolve(context).Should().Be("acme");
    }

    [Fact]
    public void By_user_uses_the_name_identifier_of_an_authenticated_user()
    {
        var context = Request(claims: [new Claim(ClaimTypes.NameIdentifier, "user-42"), new Claim(ClaimTypes.Name, "Ada")]);

        RatePartition.ByUser.Resolve(context).Should().Be("user-42");
        RatePartition.ByUser.Resolve(Request("192.0.2.1")).Should().Be("anonymous:192.0.2.1");
    }

    [Fact]
    public void By_client_address_groups_ipv6_by_its_64_bit_prefix_and_unmaps_ipv4()
    {
        RatePartition.ByClientAddress.Resolve(Request("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).Should().Be("2001:db8:1:2::/64");
        RatePartition.ByClientAddress.Resolve(Request("2001:db8:1:2::1")).Should().Be("2001:db8:1:2::/64");
        RatePartition.ByClientAddress.Resolve(Request("::ffff:192.0.2.9")).Should().Be("192.0.2.9");
    }

    [Fact]
    public void By_client_address_ignores_forwarded_headers_the_host_did_not_apply()
    {
        var context = Request("10.0.0.5");
        context.Request.Headers["X-Forwarded-For"] = "203.0.113.99";

        RatePartition.ByClientAddress.Resolve(context).Should().Be("10.0.0.5");
    }

    [Fact]
    public void By_client_address_without_an_address_is_one_unknown_partition()
    {
        RatePartition.ByClientAddress.Resolve(new DefaultHttpContext()).Should().Be("unknown");
    }

    [Fact]
    public void Custom_partitions_map_null_to_the_empty_partition()
    {
        RatePartition.Custom(_ => null).Resolve(new DefaultHttpContext()).Should().BeEmpty();
        RatePartition.Custom(c => c.Request.Headers["X-Tenant"]).Resolve(new DefaultHttpContext { Request = { Headers = { ["X-Tenant"] = "t1" } } }).Should().Be("t1");
    }

    [Fact]
    public void Global_is_one_partition()
    {
        RatePartition.Global.Resolve(Request("192.0.2.1")).Should().Be(RatePartition.Global.Resolve(Request("192.0.2.2")));
    }
}
