// Passkeys (WebAuthn): registering one on the two-factor page and using one at login. The server
// sends the options as JSON (binary fields in base64url); this file turns them into what
// navigator.credentials expects and sends the answer back the same way. Nothing is loaded from
// another host.
(function () {
  "use strict";

  function fromB64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function credentialToJSON(credential) {
    var response = credential.response, out = {
      id: credential.id, rawId: toB64url(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      out.response.attestationObject = toB64url(response.attestationObject);
      if (response.getTransports) { out.response.transports = response.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(response.authenticatorData);
      out.response.signature = toB64url(response.signature);
      if (response.userHandle) { out.response.userHandle = toB64url(response.userHandle); }
    }
    if (credential.authenticatorAttachment) { out.authenticatorAttachment = credential.authenticatorAttachment; }
    return out;
  }

  function post(section, url, body, extraHeaders) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": section.getAttribute("data-csrf") };
    Object.keys(extraHeaders || {}).forEach(function (key) { headers[key] = extraHeaders[key]; });
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body || "{}" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.error || response.statusText); }
          return data;
        });
      });
  }

  function showError(message) {
    var box = document.getElementById("passkey-error");
    box.textContent = message;
    box.hidden = false;
  }

  function ceremony(section, button, run) {
    if (!window.PublicKeyCredential) {
      showError(button.getAttribute("data-unsupported") || "This browser cannot use passkeys.");
      return;
    }
    button.disabled = true;
    run().then(function (data) {
      window.location.assign(data.redirect);
    }).catch(function (error) {
      button.disabled = false;
      showError(error.message);
    });
  }

  var enrol = document.getElementById("passkey-enrol");
  if (enrol) {
    var create = document.getElementById("passkey-create");
    create.addEventListener("click", function () {
      ceremony(enrol, create, function () {
        return post(enrol, enrol.getAttribute("data-options-url")).then(function (options) {
          options.challenge = fromB64url(options.challenge);
          options.user.id = fromB64url(options.user.id);
          (options.excludeCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
          return navigator.credentials.create({ publicKey: options });
        }).then(function (credential) {
          var name = document.getElementById("passkey-name").value || "";
          return post(enrol, enrol.getAttribute("data-finish-url"), JSON.stringify(credentialToJSON(credential)),
                      { "X-Passkey-Name": encodeURIComponent(name).slice(0, 240) });
        });
      });
    });
  }

  var login = document.getElementById("passkey-login");
  if (login) {
    var use = document.getElementById("passkey-use");
    use.addEventListener("click", function () {
      ceremony(login, use, function () {
        return post(login, login.getAttribute("data-options-url")).then(function (options) {
          options.challenge = fromB64url(options.challenge);
          (options.allowCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
          return navigator.credentials.get({ publicKey: options });
        }).then(function (credential) {
          return post(login, login.getAttribute("data-finish-url"), JSON.stringify(credentialToJSON(credential)));
        });
      });
    });
  }
})();
