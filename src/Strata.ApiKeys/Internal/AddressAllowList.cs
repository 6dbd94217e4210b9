using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Checks a client address against a key's allow-list of addresses and CIDR networks. Entries are parsed strictly:
/// IPv4 as four decimal parts (so a typo such as <c>10.1</c> or <c>010.0.0.1</c> is rejected rather than read the
/// legacy way as <c>10.0.0.1</c> or octal <c>8.0.0.1</c>), IPv6 without a zone, and a prefix length as plain digits.
/// </summary>
internal static class AddressAllowList
{
    public static bool IsValidEntry(string entry) => TryParseEntry(entry, out _);

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
            // An entry that does not parse (written straight into a store) allows nothing.
            if (TryParseEntry(entry, out var network) && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool TryParseEntry(string? entry, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrEmpty(entry))
        {
            return false;
        }

        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? entry.AsSpan() : entry.AsSpan(0, slash);
        if (!TryParseAddress(addressText, out var address))
        {
            return false;
        }

        var maxLength = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash < 0)
        {
            network = new IPNetwork(address, maxLength);
            return true;
        }

        var lengthText = entry.AsSpan(slash + 1);
        if (lengthText.Length is 0 or > 3
            || (lengthText.Length > 1 && lengthText[0] == '0')
            || !lengthText.ContainsOnlyDigits()
            || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || length > maxLength)
        {
            return false;
        }

        // IPNetwork refuses set host bits (10.0.0.1/8): the entry must name the network itself.
        return IPNetwork.TryParse(entry, out network);
    }

    private static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
        {
            if (text.Contains('%') || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
            return true;
        }

        // IPv4: only the canonical dotted-quad form round-trips.
        if (!IPAddress.TryParse(text, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork || !text.SequenceEqual(v4.ToString()))
        {
            return false;
        }

        address = v4;
        return true;
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
