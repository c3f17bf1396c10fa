using System.IO.Compression;
using System.Net;
using System.Text;
using static DPoP.Http.Tests.Reliability.HostileResponseCase;

namespace DPoP.Http.Tests.Reliability;

/// <summary>The catalogue of malformed and hostile answers <see cref="HostileResponseTests"/> runs.</summary>
internal static class HostileResponseCases
{
    private const string UseNonce = "{\"error\":\"use_dpop_nonce\",\"error_description\":\"nonce required\"}";
    private const string Json = "application/json";

    private static readonly (string, string)[] JsonType = [("Content-Type", Json)];

    public static IEnumerable<HostileResponseCase> DPoPNonceHeaders()
    {
        yield return Of("Nonce_Empty", HttpStatusCode.OK, "ok", Nonce(""), nonce: null);
        yield return Of("Nonce_SingleSpace", HttpStatusCode.OK, "ok", Nonce(" "), nonce: null);
        yield return Of("Nonce_Tab", HttpStatusCode.OK, "ok", Nonce("\t"), nonce: null);
        yield return Of("Nonce_InnerSpace", HttpStatusCode.OK, "ok", Nonce("abc def"), nonce: null);
        yield return Of("Nonce_DoubleQuote", HttpStatusCode.OK, "ok", Nonce("abc\"def"), nonce: null);
        yield return Of("Nonce_Backslash", HttpStatusCode.OK, "ok", Nonce("abc\\def"), nonce: null);
        yield return Of("Nonce_Del", HttpStatusCode.OK, "ok", Nonce("abc\u007f"), nonce: null);
        yield return Of("Nonce_NonAscii", HttpStatusCode.OK, "ok", Nonce("nonce-\u00e9t\u00e9"), nonce: null);
        yield return Of("Nonce_ControlChar", HttpStatusCode.OK, "ok", Nonce("\u0001abc"), nonce: null);
        yield return Of("Nonce_Nul", HttpStatusCode.OK, "ok", Nonce("abc\0def"), nonce: null);
        yield return Of("Nonce_QuotedLikeAHeaderParameter", HttpStatusCode.OK, "ok", Nonce("\"quoted\""), nonce: null);
        yield return Of("Nonce_64KB", HttpStatusCode.OK, "ok", Nonce(new string('n', 64 * 1024)), nonce: null);
        yield return Of("Nonce_2049Chars", HttpStatusCode.OK, "ok", Nonce(new string('n', 2049)), nonce: null);
        yield return Of("Nonce_2048Chars_IsTheLongestKept", HttpStatusCode.OK, "ok", Nonce(new string('n', 2048)), nonce: new string('n', 2048));
        yield return Of("Nonce_RepeatedWithDifferentValues", HttpStatusCode.OK, "ok", [("DPoP-Nonce", "first"), ("DPoP-Nonce", "second")], nonce: null);
        yield return Of("Nonce_RepeatedWithTheSameValue", HttpStatusCode.OK, "ok", [("DPoP-Nonce", "same"), ("DPoP-Nonce", "same")], nonce: "same");
        yield return Of("Nonce_CommaJoinedList", HttpStatusCode.OK, "ok", Nonce("first, second"), nonce: null);
        yield return Of("Nonce_HeaderInjectionAttempt", HttpStatusCode.OK, "ok", Nonce("n1\r\nAuthorization: DPoP stolen"), nonce: null);
        yield return Of("Nonce_On302WithoutLocation", HttpStatusCode.Found, "moved", Nonce("on-302"), nonce: "on-302");
        yield return Of("Nonce_On500", HttpStatusCode.InternalServerError, "boom", Nonce("on-500"), nonce: "on-500");
        yield return Of("Nonce_On204", HttpStatusCode.NoContent, "", Nonce("on-204"), nonce: "on-204");
        yield return Of("Nonce_On401WithoutChallenge", HttpStatusCode.Unauthorized, "no", Nonce("on-401"), nonce: "on-401");
        yield return Of("Nonce_On503", HttpStatusCode.ServiceUnavailable, "later", [("DPoP-Nonce", "on-503"), ("Retry-After", "1")], nonce: "on-503");
        yield return Of("Nonce_On302_FollowRedirectsOff", HttpStatusCode.Found, "moved", [("DPoP-Nonce", "on-302b"), ("Location", "https://api.example.com/elsewhere")], nonce: "on-302b") with { FollowRedirects = false };
    }

    public static IEnumerable<HostileResponseCase> WwwAuthenticateHeaders()
    {
        yield return Challenge("Www_BearerAndDPoPInOneHeader", "Bearer realm=\"api\", error=\"invalid_token\", DPoP algs=\"ES256\", error=\"use_dpop_nonce\"", retry: true);
        yield return Of("Www_BearerAndDPoPAcrossHeaders", HttpStatusCode.Unauthorized, "", [("WWW-Authenticate", "Bearer realm=\"api\""), ("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\""), ("DPoP-Nonce", "n-www")], retry: true, nonce: "n-www");
        yield return Of("Www_DPoPFirstThenBearerAcrossHeaders", HttpStatusCode.Unauthorized, "", [("WWW-Authenticate", "DPoP error=use_dpop_nonce"), ("WWW-Authenticate", "Bearer"), ("DPoP-Nonce", "n-www")], retry: true, nonce: "n-www");
        yield return Challenge("Www_SchemeLowerCase", "dpop error=\"use_dpop_nonce\"", retry: true);
        yield return Challenge("Www_SchemeUpperCase", "DPOP error=\"use_dpop_nonce\"", retry: true);
        yield return Challenge("Www_SchemeMixedCase", "dPoP ERROR=\"use_dpop_nonce\"", retry: true);
        yield return Challenge("Www_ErrorUnquoted", "DPoP error=use_dpop_nonce", retry: true);
        yield return Challenge("Www_ErrorQuotedWithEscapes", "DPoP error=\"\\u\\s\\e_dpop_nonce\"", retry: true);
        yield return Challenge("Www_ErrorDescriptionWithEscapedQuotesAndCommas", "DPoP error_description=\"say \\\"hi\\\", then, go\", error=\"use_dpop_nonce\"", retry: true);
        yield return Challenge("Www_AlgsParameter", "DPoP algs=\"ES256 ES384 PS256\", error=\"use_dpop_nonce\"", retry: true);
        yield return Challenge("Www_ManySchemesBeforeDPoP", string.Join(", ", Enumerable.Range(0, 200).Select(i => $"Scheme{i} realm=\"r{i}\"")) + ", DPoP error=\"use_dpop_nonce\"", retry: true);
        yield return Challenge("Www_Truncated", "DPoP error=\"use_dpop_no", retry: false);
        yield return Challenge("Www_TruncatedAfterEquals", "DPoP error=", retry: false);
        yield return Challenge("Www_Garbage", "\u0000\u00ff%%%=\"\\", retry: false);
        yield return Challenge("Www_Empty", "", retry: false);
        yield return Challenge("Www_OnlyCommas", ",,,, ,", retry: false);
        yield return Challenge("Www_BearerWithUseDPoPNonce", "Bearer error=\"use_dpop_nonce\"", retry: false);
        yield return Challenge("Www_DPoPOtherError", "DPoP error=\"invalid_token\"", retry: false);
        yield return Challenge("Www_DPoPToken68", "DPoP dXNlX2Rwb3Bfbm9uY2U=", retry: false);
        yield return Challenge("Www_DuplicateErrorFirstWins", "DPoP error=\"invalid_dpop_proof\", error=\"use_dpop_nonce\"", retry: false);
        yield return Challenge("Www_LookalikeScheme", "D\u03a1oP error=\"use_dpop_nonce\"", retry: false);
        yield return Challenge("Www_ErrorValueCaseDiffers", "DPoP error=\"Use_DPoP_Nonce\"", retry: false);
        yield return Challenge("Www_60KB", "DPoP realm=\"" + new string('r', 60 * 1024) + "\", error=\"use_dpop_nonce\"", retry: true);
        yield return Of("Www_UseDPoPNonceWithoutNewNonce", HttpStatusCode.Unauthorized, "no nonce", [("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\"")], retry: false, nonce: null);
        yield return Of("Www_UseDPoPNonceWithInvalidNonce", HttpStatusCode.Unauthorized, "bad nonce", [("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\""), ("DPoP-Nonce", "bad nonce")], retry: false, nonce: null);
        yield return Of("Www_UseDPoPNonceWithTwoNonces", HttpStatusCode.Unauthorized, "two", [("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\""), ("DPoP-Nonce", "a"), ("DPoP-Nonce", "b")], retry: false, nonce: null);
        yield return Of("Www_DPoPChallengeOn403", HttpStatusCode.Forbidden, "forbidden", [("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\""), ("DPoP-Nonce", "n-403")], retry: false, nonce: "n-403");
        yield return Of("Www_DPoPChallengeOn200", HttpStatusCode.OK, "fine", [("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\""), ("DPoP-Nonce", "n-200")], retry: false, nonce: "n-200");
        yield return Of("Www_ChallengeOn400WithoutJsonBody", HttpStatusCode.BadRequest, "plain", [("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\""), ("DPoP-Nonce", "n-400")], retry: false, nonce: "n-400");
    }

    public static IEnumerable<HostileResponseCase> BadRequestBodies()
    {
        yield return Body400("Body_NotJson", "use_dpop_nonce", retry: false);
        yield return Body400("Body_Html", "<html><body>{\"error\":\"use_dpop_nonce\"}</body></html>", retry: false, type: "text/html");
        yield return Body400("Body_JsonWithoutError", "{\"error_description\":\"use_dpop_nonce\"}", retry: false);
        yield return Body400("Body_ErrorIsNumber", "{\"error\":42}", retry: false);
        yield return Body400("Body_ErrorIsObject", "{\"error\":{\"code\":\"use_dpop_nonce\"}}", retry: false);
        yield return Body400("Body_ErrorIsArray", "{\"error\":[\"use_dpop_nonce\"]}", retry: false);
        yield return Body400("Body_ErrorIsNull", "{\"error\":null}", retry: false);
        yield return Body400("Body_ErrorIsTrue", "{\"error\":true}", retry: false);
        yield return Body400("Body_ErrorNested", "{\"inner\":{\"error\":\"use_dpop_nonce\"}}", retry: false);
        yield return Body400("Body_TopLevelArray", "[{\"error\":\"use_dpop_nonce\"}]", retry: false);
        yield return Body400("Body_TopLevelString", "\"use_dpop_nonce\"", retry: false);
        yield return Body400("Body_DuplicateErrorFirstWins", "{\"error\":\"invalid_grant\",\"error\":\"use_dpop_nonce\"}", retry: false);
        yield return Body400("Body_ErrorWithJsonEscapes", "{\"error\":\"use\\u005fdpop_nonce\"}", retry: true);
        yield return Body400("Body_Utf8Bom", "\uFEFF" + UseNonce, retry: true);
        yield return Body400("Body_WithComments", "/* why */ {\"error\": /* not */ \"use_dpop_nonce\"} // end", retry: true);
        yield return Body400("Body_TruncatedAfterError", "{\"error\":\"use_dpop_nonce\",\"error_desc", retry: true);
        yield return Body400("Body_TruncatedInError", "{\"error\":\"use_dpop_no", retry: false);
        yield return Body400("Body_DeepNesting", "{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + ",\"error\":\"use_dpop_nonce\"}", retry: false);
        yield return Body400("Body_InvalidUtf8", "", retry: false) with { Body = [0xFF, 0xFE, .. Encoding.UTF8.GetBytes(UseNonce)] };
        yield return Body400("Body_Utf16", "", retry: false) with { Body = Encoding.Unicode.GetBytes(UseNonce) };
        yield return Body400("Body_Empty", "", retry: false);
        yield return Body400("Body_WhitespaceOnly", "   \r\n\t ", retry: false);
        yield return Body400("Body_ContentTypeLiesHtmlButJson", UseNonce, retry: true, type: "text/html");
        yield return Body400("Body_ContentTypeLiesJsonButHtml", "<!doctype html><p>use_dpop_nonce</p>", retry: false);
        yield return Body400("Body_ContentTypeGarbage", UseNonce, retry: true, type: "\u0001;;==");
        yield return Body400("Body_UseDPoPNonceChunked", UseNonce, retry: true) with { Chunked = true };
        yield return Body400("Body_16KBExactly_ErrorLast", "{\"pad\":\"" + new string('p', (16 * 1024) - 35) + "\",\"error\":\"use_dpop_nonce\"}", retry: true);
        yield return Body400("Body_16KBPlusOne_ErrorLast", "{\"pad\":\"" + new string('p', (16 * 1024) - 34) + "\",\"error\":\"use_dpop_nonce\"}", retry: false);
        yield return Body400("Body_16KBExactly_ErrorLast_Chunked", "{\"pad\":\"" + new string('p', (16 * 1024) - 35) + "\",\"error\":\"use_dpop_nonce\"}", retry: true) with { Chunked = true };
        yield return Body400("Body_16KBPlusOne_ErrorLast_Chunked", "{\"pad\":\"" + new string('p', (16 * 1024) - 34) + "\",\"error\":\"use_dpop_nonce\"}", retry: true) with { Chunked = true }; // the member ends within the first 16 KB
        yield return Body400("Body_16KBPlusTwo_ErrorLast_Chunked", "{\"pad\":\"" + new string('p', (16 * 1024) - 33) + "\",\"error\":\"use_dpop_nonce\"}", retry: false) with { Chunked = true };
        yield return Body400("Body_LargeKnownLength_ErrorFirst", UseNonce[..^1] + ",\"pad\":\"" + new string('p', 200_000) + "\"}", retry: false);
        yield return Body400("Body_LargeChunked_ErrorFirst", UseNonce[..^1] + ",\"pad\":\"" + new string('p', 200_000) + "\"}", retry: true) with { Chunked = true };
        yield return Body400("Body_LargeChunked_ErrorLast", "{\"pad\":\"" + new string('p', 200_000) + "\",\"error\":\"use_dpop_nonce\"}", retry: false) with { Chunked = true };
        yield return Body400("Body_LargeChunked_Garbage", new string('\u0007', 100_000), retry: false) with { Chunked = true };
        yield return Encoded("Body_Gzip", "gzip", Gzip(UseNonce), retry: true);
        yield return Encoded("Body_XGzip", "x-gzip", Gzip(UseNonce), retry: true);
        yield return Encoded("Body_GzipChunked", "gzip", Gzip(UseNonce), retry: true) with { Chunked = true };
        yield return Encoded("Body_Deflate", "deflate", Zlib(UseNonce), retry: true);
        yield return Encoded("Body_Brotli", "br", Brotli(UseNonce), retry: true);
        yield return Encoded("Body_GzipGarbage", "gzip", [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], retry: false);
        yield return Encoded("Body_GzipHeaderButPlainJson", "gzip", Encoding.UTF8.GetBytes(UseNonce), retry: false);
        yield return Encoded("Body_DeflateGarbage", "deflate", Encoding.UTF8.GetBytes("not deflate at all"), retry: false);
        yield return Encoded("Body_BrotliGarbage", "br", Encoding.UTF8.GetBytes("not brotli at all, really not"), retry: false);
        yield return Encoded("Body_BrotliTruncated", "br", Brotli(UseNonce)[..5], retry: false);
        yield return Encoded("Body_GzipTruncated", "gzip", Gzip(UseNonce)[..12], retry: false);
        yield return Encoded("Body_GzipBomb", "gzip", Gzip(new string(' ', 10_000_000)), retry: false);
        yield return Encoded("Body_TwoEncodings", "gzip, gzip", Gzip(UseNonce), retry: false);
        yield return Encoded("Body_UnknownEncoding", "compress", Encoding.UTF8.GetBytes(UseNonce), retry: false);
        yield return Encoded("Body_IdentityEncoding", "identity", Encoding.UTF8.GetBytes(UseNonce), retry: false);
        yield return Of("Body_UseDPoPNonceWithoutNonceHeader", HttpStatusCode.BadRequest, UseNonce, contentHeaders: JsonType, retry: false, nonce: null);
        yield return Of("Body_UseDPoPNonceWithInvalidNonce", HttpStatusCode.BadRequest, UseNonce, [("DPoP-Nonce", "\"bad\"")], JsonType, retry: false, nonce: null);
        yield return Of("Body_UseDPoPNonceOn500", HttpStatusCode.InternalServerError, UseNonce, [("DPoP-Nonce", "n-500")], JsonType, retry: false, nonce: "n-500");
        yield return Of("Body_UseDPoPNonceOn401WithoutChallenge", HttpStatusCode.Unauthorized, UseNonce, [("DPoP-Nonce", "n-401")], JsonType, retry: false, nonce: "n-401");
        yield return Of("Body_ContentLengthZeroHeader", HttpStatusCode.BadRequest, "", [("DPoP-Nonce", "n-zero")], [("Content-Length", "0")], retry: false, nonce: "n-zero");
    }

    public static IEnumerable<HostileResponseCase> RedirectLocations()
    {
        yield return Redirect("Location_Missing", null);
        yield return Redirect("Location_Javascript", "javascript:alert(1)");
        yield return Redirect("Location_Ftp", "ftp://files.example/x");
        yield return Redirect("Location_File", "file:///etc/passwd");
        yield return Redirect("Location_Data", "data:text/plain,hello");
        yield return Redirect("Location_Mailto", "mailto:a@b.example");
        yield return Redirect("Location_UserInfo", "https://user:pw@api.example.com/x");
        yield return Redirect("Location_DowngradeToHttp", "http://api.example.com/x");
        yield return Redirect("Location_UnclosedIPv6", "https://[::1/x");
        yield return Redirect("Location_PortOutOfRange", "https://api.example.com:99999/x");
        yield return Redirect("Location_EmptyHost", "https:///x");
        // Relative references, however odd, resolve against the request URI and are followed (same origin).
        yield return Redirect("Location_Garbage", "\u0001\u0002%%%") with { ExpectRetry = true };
        yield return Redirect("Location_Huge", "https://api.example.com/" + new string('a', 70_000)) with { ExpectRetry = true };
        yield return Redirect("Location_Backslashes", "\\\\evil.example\\x");
        yield return Redirect("Location_PercentEncodedHostGarbage", "https://%zz/x");
    }

    public static IEnumerable<HostileResponseCase> All() =>
        DPoPNonceHeaders().Concat(WwwAuthenticateHeaders()).Concat(BadRequestBodies()).Concat(RedirectLocations());

    private static (string, string)[] Nonce(string value) => [("DPoP-Nonce", value)];

    private static HostileResponseCase Challenge(string name, string wwwAuthenticate, bool retry) =>
        Of(name, HttpStatusCode.Unauthorized, "challenge body", [("WWW-Authenticate", wwwAuthenticate), ("DPoP-Nonce", "n-" + name)], retry: retry, nonce: "n-" + name);

    private static HostileResponseCase Body400(string name, string body, bool retry, string type = Json) =>
        Of(name, HttpStatusCode.BadRequest, body, [("DPoP-Nonce", "n-" + name)], [("Content-Type", type)], retry: retry, nonce: "n-" + name);

    private static HostileResponseCase Encoded(string name, string encoding, byte[] body, bool retry) =>
        Of(name, HttpStatusCode.BadRequest, body, [("DPoP-Nonce", "n-" + name)], [("Content-Type", Json), ("Content-Encoding", encoding)], retry: retry, nonce: "n-" + name);

    private static HostileResponseCase Redirect(string name, string? location) =>
        Of(name, HttpStatusCode.Found, "redirect body",
            location is null ? [("DPoP-Nonce", "n-" + name)] : [("DPoP-Nonce", "n-" + name), ("Location", location)],
            retry: false, nonce: "n-" + name);

    private static byte[] Gzip(string text) => Compress(text, s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));

    private static byte[] Zlib(string text) => Compress(text, s => new ZLibStream(s, CompressionLevel.Optimal, leaveOpen: true));

    private static byte[] Brotli(string text) => Compress(text, s => new BrotliStream(s, CompressionLevel.Optimal, leaveOpen: true));

    private static byte[] Compress(string text, Func<Stream, Stream> encoder)
    {
        using var output = new MemoryStream();
        using (var compressor = encoder(output))
        {
            compressor.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
