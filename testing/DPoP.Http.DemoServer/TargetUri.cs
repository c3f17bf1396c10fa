using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace DPoP.Http.DemoServer;

/// <summary>
/// The <c>htu</c> comparison of RFC 9449 §4.3: both sides are brought to one form with RFC 3986 §6.2.2
/// (syntax-based: case of scheme and host, case of percent-encodings, unreserved characters decoded, dot segments)
/// and §6.2.3 (scheme-based: default port dropped, empty path as <c>/</c>) normalization.
/// </summary>
internal static class TargetUri
{
    /// <summary>The server's view of the request's target URI, without query, normalized.</summary>
    public static string FromRequest(HttpRequest request)
    {
        // BuildAbsolute writes the path in its escaped form, as it was on the wire.
        var absolute = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path);
        return TryNormalize(absolute, out var normalized) ? normalized : absolute;
    }

    /// <summary>
    /// Normalizes an absolute http(s) URI. Fails for anything else, and for a URI with user information, a query or a
    /// fragment: <c>htu</c> has none of these (RFC 9449 §4.2), so such a claim can never match.
    /// </summary>
    public static bool TryNormalize(string value, out string normalized)
    {
        normalized = string.Empty;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) ||
            !(uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ||
            uri.UserInfo.Length != 0 || uri.Query.Length != 0 || uri.Fragment.Length != 0 ||
            value.Contains('#', StringComparison.Ordinal) || value.Contains('?', StringComparison.Ordinal))
        {
            return false;
        }

        // Uri already lower-cases scheme and host, removes dot segments and turns an empty http path into "/".
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        var builder = new StringBuilder(value.Length + 8);
        builder.Append(uri.Scheme).Append("://").Append(host.ToLowerInvariant());
        if (!uri.IsDefaultPort)
        {
            builder.Append(':').Append(uri.Port.ToString(CultureInfo.InvariantCulture));
        }

        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            builder.Append('/');
        }
        else
        {
            AppendNormalizedPath(builder, path);
        }

        normalized = builder.ToString();
        return true;
    }

    /// <summary>Percent-encodings in upper case; those of unreserved characters decoded (RFC 3986 §6.2.2.1, §6.2.2.2).</summary>
    private static void AppendNormalizedPath(StringBuilder builder, string path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                var decoded = (char)Convert.ToByte(path.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~')
                {
                    builder.Append(decoded);
                }
                else
                {
                    builder.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }

                i += 2;
            }
            else
            {
                builder.Append(c);
            }
        }
    }
}
