using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// Validates a request URI and writes its <c>htu</c> form: RFC 9449 §4.2 says the target URI without query and
/// fragment; §4.3 has servers compare after RFC 3986 §6.2.2/§6.2.3 normalization, so the client sends the normal
/// form: scheme and host lower-case, IDN host in punycode, default port dropped, empty path as <c>/</c>, and the
/// path exactly as <see cref="HttpClient"/> puts it on the wire (<see cref="Uri.AbsolutePath"/>).
/// </summary>
internal static class DPoPTargetUri
{
    public static Uri Parse(string? uri, string paramName)
    {
        ArgumentNullException.ThrowIfNull(uri, paramName);
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new ArgumentException("The URI must not be empty.", paramName);
        }

        // RelativeOrAbsolute: on Unix an absolute-kind parse would read "/path" as a file URI.
        if (!Uri.TryCreate(uri, UriKind.RelativeOrAbsolute, out var parsed))
        {
            throw new ArgumentException("The URI is not a well-formed URI.", paramName);
        }

        Validate(parsed, paramName);
        return parsed;
    }

    public static void Validate(Uri? uri, string paramName)
    {
        ArgumentNullException.ThrowIfNull(uri, paramName);
        if (Problem(uri) is { } problem)
        {
            throw new ArgumentException(problem, paramName);
        }
    }

    /// <summary>The rule <paramref name="uri"/> breaks as the target of a proof, or null when it can be one.</summary>
    public static string? Problem(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            return "The URI must be absolute (scheme, host and path).";
        }

        if (!IsHttpScheme(uri))
        {
            return "The URI must use the http or https scheme.";
        }

        if (uri.UserInfo.Length != 0)
        {
            // Credentials in a URI would end up in htu, which servers may log (RFC 9110 §4.2.4 deprecates them).
            return "The URI must not contain user information (user:password@).";
        }

        if (uri.Host.Length == 0)
        {
            return "The URI must have a host.";
        }

        if (!TryGetIdnHost(uri, out _))
        {
            return InvalidIdnHost;
        }

        if (!IsHtuSafe(HostOf(uri)) || !IsHtuSafe(uri.AbsolutePath))
        {
            return "The URI's host or path contains characters that cannot appear in htu.";
        }

        return null;
    }

    /// <summary>The rule <see cref="TryGetIdnHost"/> enforces, for the messages of every caller.</summary>
    public const string InvalidIdnHost = "The URI's host is not a valid internationalized domain name (it breaks the IDNA rules, so it has no punycode form).";

    /// <summary>
    /// The host in punycode (<see cref="Uri.IdnHost"/>). <see cref="Uri"/> parses some Unicode hosts it cannot convert
    /// (a joiner or a leading combining mark, which IDNA forbids) and throws <see cref="UriFormatException"/> only
    /// when <see cref="Uri.IdnHost"/> is read; such a host can be neither sent nor named in a proof.
    /// </summary>
    public static bool TryGetIdnHost(Uri uri, [NotNullWhen(true)] out string? host)
    {
        try
        {
            host = uri.IdnHost;
            return true;
        }
        catch (UriFormatException)
        {
            host = null;
            return false;
        }
    }

    public static bool IsHttpScheme(Uri uri) =>
        ReferenceEquals(uri.Scheme, Uri.UriSchemeHttps) || ReferenceEquals(uri.Scheme, Uri.UriSchemeHttp) ||
        uri.Scheme is "https" or "http";

    /// <summary>The <c>htu</c> of a validated URI as a string.</summary>
    public static string GetHtu(Uri uri)
    {
        Span<byte> buffer = stackalloc byte[512];
        var max = GetMaxHtuLength(uri);
        var rented = max <= buffer.Length ? null : new byte[max];
        var written = WriteHtu(uri, rented ?? buffer);
        return Encoding.ASCII.GetString((rented ?? buffer)[..written]);
    }

    /// <summary>An upper bound of the bytes <see cref="WriteHtu"/> writes.</summary>
    public static int GetMaxHtuLength(Uri uri) => 16 + HostOf(uri).Length + uri.AbsolutePath.Length;

    /// <summary>Writes the <c>htu</c> of a validated URI as ASCII and returns the bytes written.</summary>
    public static int WriteHtu(Uri uri, Span<byte> destination)
    {
        // Uri already lower-cases scheme and host of http(s) URIs and keeps the path escaped as sent on the wire.
        var length = Encoding.ASCII.GetBytes(uri.Scheme, destination);
        "://"u8.CopyTo(destination[length..]);
        length += 3;
        length += WriteAscii(HostOf(uri), destination[length..]);
        if (!uri.IsDefaultPort)
        {
            destination[length++] = (byte)':';
            Utf8Formatter.TryFormat(uri.Port, destination[length..], out var portLength);
            length += portLength;
        }

        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            destination[length++] = (byte)'/';
        }
        else
        {
            length += WriteAscii(path, destination[length..]);
        }

        return length;
    }

    /// <summary>
    /// The host as sent in the request: punycode for IDN (<see cref="Uri.IdnHost"/>), brackets kept and zone dropped
    /// for IPv6 literals (<see cref="Uri.Host"/>).
    /// </summary>
    private static string HostOf(Uri uri) => uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;

    private static int WriteAscii(string value, Span<byte> destination) => Encoding.ASCII.GetBytes(value, destination);

    /// <summary>Uri's escaped forms are visible ASCII without quotes or backslashes, so htu needs no JSON escaping; this holds that.</summary>
    private static bool IsHtuSafe(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }
}
