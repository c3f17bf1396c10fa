using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>DemoServerForm reads the sign-in page and the form_post page as a browser would submit them.</summary>
internal sealed class DemoServerFormTests : CodeFlowTest
{
    [Test]
    public async Task ReadAll_SignInPage_OneFormPerUserWithRequestIdAndUser()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var uri = Client.AuthorizeUri(CodeFlowClient.AuthorizeParameters(challenge));
        var html = await Client.Http.GetStringAsync(uri);

        var forms = DemoServerForm.ReadAll(html, uri);

        Assert.Multiple(() =>
        {
            Assert.That(forms.Select(f => f.Id), Is.EqualTo(new[] { "signin-alice", "signin-bob" }));
            Assert.That(forms[0].Action, Is.EqualTo(new Uri(Server.BaseAddress, "connect/authorize/signin")));
            Assert.That(forms[0].Fields.Select(f => f.Key), Is.EqualTo(new[] { "request_id", "user" }));
            Assert.That(forms[0].Fields[0].Value, Is.EqualTo(CodeFlowClient.RequestIdOf(html)));
            Assert.That(forms[1].Fields[1].Value, Is.EqualTo("bob"));
        });
    }

    [Test]
    public async Task ReadAll_FormPostPage_TheResponseFormWithDecodedFields()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["response_mode"] = "form_post";
        parameters["state"] = "a&b\"<c>";
        var uri = Client.AuthorizeUri(parameters);
        var signIn = DemoServerForm.ReadAll(await Client.Http.GetStringAsync(uri), uri).Single(f => f.Id == "signin-alice");

        using var answer = await Client.Http.PostAsync(signIn.Action, signIn.ToContent());
        var form = DemoServerForm.ReadAll(await answer.Content.ReadAsStringAsync(), signIn.Action).Single();

        Assert.Multiple(() =>
        {
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(form.Id, Is.EqualTo("response"));
            Assert.That(form.Action, Is.EqualTo(new Uri(CodeFlowClient.RedirectUri)));
            Assert.That(form.Fields.Select(f => f.Key), Is.EqualTo(new[] { "code", "state", "iss" }));
            Assert.That(form.Fields[1].Value, Is.EqualTo("a&b\"<c>"));
            Assert.That(form.Fields[2].Value, Is.EqualTo(Server.Issuer));
        });
    }

    [Test]
    public void ReadAll_PageWithoutForms_IsEmpty()
    {
        Assert.That(DemoServerForm.ReadAll("<html><body><p>nothing</p></body></html>", new Uri("http://127.0.0.1/")), Is.Empty);
    }
}
