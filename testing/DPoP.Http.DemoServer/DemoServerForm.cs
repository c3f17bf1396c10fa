namespace DPoP.Http.DemoServer;

/// <summary>
/// A form on one of the demo server's pages, read by <see cref="DemoServerForm.ReadAll"/>, so that a cookie-aware
/// <see cref="HttpClient"/> can do what a browser does: click "Sign in as …" on the sign-in page
/// (form <c>signin-{subject}</c>) or submit a <c>form_post</c> response (form <c>response</c>).
/// </summary>
/// <param name="Id">The form's <c>id</c>: <c>signin-alice</c>, <c>signin-bob</c>, … or <c>response</c>.</param>
/// <param name="Action">The absolute URI the form posts to.</param>
/// <param name="Fields">
/// What a browser would post: the hidden inputs, and for a sign-in form its button's <c>user</c> value.
/// </param>
/// <example>
/// <code>
/// var page = await http.GetAsync(app);                                 // ends on the demo server's sign-in page
/// var signIn = DemoServerForm.ReadAll(await page.Content.ReadAsStringAsync(), page.RequestMessage!.RequestUri!)
///     .Single(f => f.Id == "signin-alice");
/// var answer = await http.PostAsync(signIn.Action, signIn.ToContent());  // a redirect, or a form_post page:
/// var post = DemoServerForm.ReadAll(await answer.Content.ReadAsStringAsync(), signIn.Action).Single(f => f.Id == "response");
/// await http.PostAsync(post.Action, post.ToContent());                  // back at the app's callback
/// </code>
/// </example>
public sealed record DemoServerForm(string Id, Uri Action, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    /// <summary>The fields as a form body.</summary>
    /// <returns>A new <c>application/x-www-form-urlencoded</c> content.</returns>
    public FormUrlEncodedContent ToContent() => new(Fields);

    /// <summary>Reads the forms of a page this server wrote (it reads only the markup the server itself writes).</summary>
    /// <param name="html">The page.</param>
    /// <param name="pageUri">The page's URI, against which relative actions resolve.</param>
    /// <returns>The forms in page order; empty when the page has none.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<DemoServerForm> ReadAll(string html, Uri pageUri)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(pageUri);
        var forms = new List<DemoServerForm>();
        foreach (System.Text.RegularExpressions.Match form in HtmlPages.FormPattern().Matches(html))
        {
            var attributes = form.Groups["attributes"].Value;
            var id = Attribute(attributes, "id") ?? string.Empty;
            var action = new Uri(pageUri, Attribute(attributes, "action") ?? pageUri.AbsoluteUri);
            var fields = new List<KeyValuePair<string, string>>();
            foreach (System.Text.RegularExpressions.Match input in HtmlPages.NamedValuePattern().Matches(form.Groups["body"].Value))
            {
                fields.Add(new(Decode(input.Groups["name"].Value), Decode(input.Groups["value"].Value)));
            }

            forms.Add(new DemoServerForm(id, action, fields));
        }

        return forms;
    }

    private static string? Attribute(string attributes, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(attributes, $"\\b{name}=\"([^\"]*)\"", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return match.Success ? Decode(match.Groups[1].Value) : null;
    }

    private static string Decode(string value) => System.Net.WebUtility.HtmlDecode(value);
}
