using System.Net;

namespace Strata.ApiKeys.Internal;

/// <summary>Checks a client address against a key's allow-list of addresses and CIDR networks.</summary>
internal static class AddressAllowList
{
    public static bool IsValidEntry(string entry)
        => entry.Contains('/', StringComparison.Ordinal) ? IPNetwork.TryParse(entry, out _) : IPAddress.TryParse(entry, out _);

    public static bool Allows(IReadOnlyList<string> allowList, IPAddress? address)
    {
        if (allowList.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var entry in allowList)
        {
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                if (IPNetwork.TryParse(entry, out var network) && network.Contains(address))
                {
                    return true;
                }
            }
            else if (IPAddress.TryParse(entry, out var single))
            {
                if (single.IsIPv4MappedToIPv6)
                {
                    single = single.MapToIPv4();
                }

                if (single.Equals(address))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
