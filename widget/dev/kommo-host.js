/*
 * Plays Kommo for the widget (kommo-widget.md §7): Kommo's AMD modules, APP/AMOCRM, the methods
 * Kommo injects into the widget's prototype ($authorizedAjax with a real widget token from this
 * page's server), and each area's DOM. Used by `npm run sandbox` and the browser tests.
 *
 *   KommoHost.boot({ area: 'lcard', entityId: 12, lang: 'es', userId: 3 })  → Promise  (entityId 0: a new card)
 *   KommoHost.listAction()  (the list's "leadmail" action)   KommoHost.saveSettings()
 */
/* global window, document, define, requirejs, jQuery, _, fetch, URLSearchParams */
(function () {
  'use strict';
  var $ = jQuery;
  var CARD_AREAS = { lcard: 'leads', ccard: 'contacts', comcard: 'companies' };
  var LIST_AREAS = { llist: 'leads', clist: 'contacts' };
  var TITLES = { lcard: 'Lead', ccard: 'Contact', comcard: 'Company', llist: 'Leads', clist: 'Contacts', advanced_settings: 'Settings · leadmail', digital_pipeline: 'Digital pipeline', settings: 'Widgets' };
  var state = { config: null, widget: null, area: null, token: null, userId: null };

  // Kommo's own AMD modules the widget leaves external.
  define('jquery', [], function () { return jQuery; });
  define('underscore', [], function () { return _; });
  define('twigjs', [], function () {
    return { twig: function () { throw new Error('twig templates are not used by leadmail'); } };
  });
  define('lib/components/base/modal', [], function () { return Modal; });

  function Modal(opts) {
    var $wrap = null;
    var destroy = (this.destroy = function () {
      if (!$wrap) return;
      var w = $wrap;
      $wrap = null;
      if (opts && opts.destroy) opts.destroy();
      w.remove();
    });
    if (!opts || !opts.init) return;
    $wrap = $('<div class="modal"><div class="modal-body"></div></div>').addClass(opts.class_name || '');
    $wrap.on('click', function (e) { if (e.target === $wrap[0]) destroy(); });
    $('body').append($wrap);
    opts.init($wrap.find('.modal-body'));
  }
  Modal.prototype.showSuccess = function (text) { notify('', text, false); };
  Modal.prototype.showError = function (text) { notify('', text, true); };
  $(document).on('keydown', function (e) { if (e.key === 'Escape') $('.modal').last().trigger('click'); });

  function notify(header, text, isError) {
    var $n = $('<div class="notification"><b></b><span></span></div>').toggleClass('notification--error', !!isError);
    $n.find('b').text(header || '');
    $n.find('span').text(text || '');
    $('#notifications').append($n);
    window.setTimeout(function () { $n.remove(); }, 6000);
  }

  window.APP = window.AMOCRM = {
    lang_id: 'en',
    data: { current_card: null },
    constant: function (name) {
      var c = state.config;
      if (name === 'account') return { id: c.account.id, subdomain: c.account.subdomain };
      if (name === 'user') return { id: state.userId };
      if (name === 'managers') return _.indexBy(c.users, 'id');
      return undefined;
    },
    getWidgetsArea: function () { return state.area === 'advanced_settings' ? 'advanced-settings:leadmail' : state.area; },
    isCard: function () { return !!CARD_AREAS[state.area]; },
    notifications: {
      show_message: function (m) { notify(m.header, m.text, false); },
      show_message_error: function (m) { notify(m.header, m.text, true); },
    },
  };

  function token() {
    var now = Date.now() / 1000;
    if (state.token && state.token.user === state.userId && state.token.exp - 60 > now) return Promise.resolve(state.token.token);
    return fetch('/dev/token?user=' + encodeURIComponent(state.userId)).then(function (r) {
      if (!r.ok) throw new Error('token endpoint answered ' + r.status);
      return r.json();
    }).then(function (t) {
      state.token = { user: state.userId, token: t.token, exp: t.exp };
      return t.token;
    });
  }

  /** Kommo's $authorizedAjax: jQuery ajax with the widget JWT in X-Auth-Token (a jQuery promise). */
  function authorizedAjax(opts) {
    var d = $.Deferred();
    token().then(function (t) {
      var o = $.extend({}, opts, { headers: $.extend({}, opts.headers || {}, { 'X-Auth-Token': t }) });
      $.ajax(o).done(d.resolve).fail(d.reject);
    }, function (err) {
      d.reject({ status: 0, responseText: String(err) }, 'error', String(err));
    });
    return d.promise();
  }

  function entities(area) {
    var type = CARD_AREAS[area] || LIST_AREAS[area];
    return type ? state.config[type] : [];
  }

  function renderArea(area, cfg) {
    var $page = $('#page-content').empty();
    $('#page-title').text(TITLES[area] || area);
    $('#left-menu a').removeClass('is-active').filter('[data-area="' + area + '"]').addClass('is-active');
    window.APP.data.current_card = null;
    if (CARD_AREAS[area]) {
      var list = entities(area);
      // entityId 0: a new card not saved yet (Kommo's current_card.id is 0 then).
      var e = cfg.entityId === 0 ? { id: 0, name: 'New' } : _.findWhere(list, { id: Number(cfg.entityId) }) || list[0] || { id: 0, name: '' };
      window.APP.data.current_card = { id: e.id, element_type: CARD_AREAS[area] };
      $('#page-title').text(TITLES[area] + ' #' + e.id);
      var $holder = $('<div class="card-holder"><div class="card-fields"><h2></h2><dl><dt>ID</dt><dd class="id"></dd></dl></div><div class="card-feed">Feed</div><div id="card-widgets"></div></div>');
      $holder.find('h2').text(e.name);
      $holder.find('.id').text(e.id);
      $page.append($holder);
    } else if (LIST_AREAS[area]) {
      var $t = $('<table class="list-table"><thead><tr><th></th><th>ID</th><th>Name</th></tr></thead><tbody></tbody></table>');
      var selected = cfg.selected || [];
      _.each(entities(area), function (x) {
        var $r = $('<tr><td><input type="checkbox" class="list-row__check"></td><td class="id"></td><td class="name"></td></tr>');
        $r.find('input').val(x.id).prop('checked', selected.indexOf(x.id) >= 0);
        $r.find('.id').text(x.id);
        $r.find('.name').text(x.name);
        $t.find('tbody').append($r);
      });
      var $bar = $('<div class="list-actions"><span class="list-actions__count"></span><button type="button" id="leadmail-list-action">leadmail: send email</button></div>');
      $bar.find('button').on('click', function () { window.KommoHost.listAction(); });
      $page.append($t, $bar);
      var count = function () { $bar.find('.list-actions__count').text($t.find('.list-row__check:checked').length + ' selected'); };
      $t.on('change', count);
      count();
    } else if (area === 'advanced_settings') {
      $page.append('<div class="work-area" id="work-area-leadmail"></div>');
    } else if (area === 'digital_pipeline') {
      $page.append(
        '<div class="digital-pipeline"><div class="digital-pipeline__block digital-pipeline__short-task_widget-style_leadmail" data-action="send_widget_hook">' +
          '<h3>leadmail</h3><input name="action" type="text" value=""><div class="widget-settings__footer"><button type="button" class="js-dp-save">Done</button></div>' +
          '<div class="digital-pipeline__saved"></div></div></div>'
      );
      $page.find('input[name=action]').val(cfg.action || '');
      $page.find('.js-dp-save').on('click', function () {
        $page.find('.digital-pipeline__saved').text('Kommo stores action = ' + $page.find('input[name=action]').val());
      });
    }
  }

  function openSettingsModal(widget) {
    var m = new Modal({
      class_name: 'widget-settings__modal',
      init: function ($body) {
        $body.html('<div class="widget-settings"><h2>leadmail</h2><div class="widget-settings__desc-space"></div>' +
          '<div class="widget-settings__footer"><button type="button" class="js-widget-cancel">Cancel</button><button type="button" class="js-widget-save">Save</button></div></div>');
        $body.find('.js-widget-cancel').on('click', function () { m.destroy(); });
        $body.find('.js-widget-save').on('click', function () {
          if (widget.callbacks.onSave({ active: 'Y', fields: {} }) === true) m.destroy();
        });
        expectTrue('settings', widget.callbacks.settings($body));
      },
    });
  }

  function expectTrue(name, v) {
    if (v !== true) throw new Error('callback ' + name + ' returned ' + v + ' instead of true');
  }

  function fail(err) {
    $('#host-error').text('Fake Kommo: ' + (err && err.message ? err.message : err)).show();
    throw err;
  }

  function boot(cfg) {
    cfg = cfg || {};
    var area = cfg.area || 'lcard';
    var c = state.config;
    var lang = cfg.lang || 'en';
    if (state.widget) state.widget.callbacks.destroy();
    $('.modal').remove();
    $('#host-error').hide();
    state.area = area;
    state.token = null;
    state.userId = Number(cfg.userId || c.users[0].id);
    window.APP.lang_id = lang;
    $('#host-user').val(String(state.userId));
    $('#host-lang').val(lang);
    renderArea(area, cfg);
    // cfg.langs: the locale as given (tests of a locale with a key missing); else the widget's file.
    var loadLangs = cfg.langs ? Promise.resolve(cfg.langs) : fetch(c.widgetPath + '/i18n/' + lang + '.json').then(function (r) { return r.json(); });
    return loadLangs.then(function (langs) {
      return new Promise(function (resolve, reject) {
        requirejs([c.widgetPath + '/script.js'], function (Widget) {
          try {
            _.extend(Widget.prototype, {
              params: { widget_code: c.widgetCode, path: c.widgetPath, version: '0.2.0', custom: '' },
              langs: langs,
              system: function () { return { area: area, amouser_id: state.userId, subdomain: c.account.subdomain, domain: c.account.subdomain + '.kommo.com' }; },
              i18n: function (key) { return langs[key]; },
              get_settings: function () { return { widget_code: c.widgetCode }; },
              get_version: function () { return '0.2.0'; },
              set_status: function () {},
              list_selected: function () {
                var type = LIST_AREAS[area];
                var ids = $('.list-row__check:checked').map(function () { return Number(this.value); }).get();
                // cfg.countSelected: Kommo's count of a selection larger than the page of ids it hands over.
                return { count_selected: cfg.countSelected != null ? cfg.countSelected : ids.length, selected: _.map(ids, function (id) { return { id: id, type: type, emails: [], phones: [] }; }) };
              },
              render_template: function (o) {
                var $w = $('<div class="card-widgets__widget" data-code="' + c.widgetCode + '"><div class="card-widgets__widget__caption"><img alt=""></div><div class="card-widgets__widget__body"></div></div>');
                $w.find('.card-widgets__widget__caption').addClass(o.caption && o.caption.class_name).find('img').attr('src', c.widgetPath + '/images/logo_medium.png');
                $w.find('.card-widgets__widget__body').html((o.body || '') + (o.render || ''));
                $('#card-widgets').append($w);
              },
              $authorizedAjax: authorizedAjax,
            });
            var w = new Widget();
            state.widget = w;
            expectTrue('render', w.callbacks.render());
            expectTrue('init', w.callbacks.init());
            expectTrue('bind_actions', w.callbacks.bind_actions());
            if (area === 'advanced_settings') expectTrue('advancedSettings', w.callbacks.advancedSettings());
            if (area === 'digital_pipeline') expectTrue('dpSettings', w.callbacks.dpSettings());
            if (area === 'settings') openSettingsModal(w);
            resolve({ area: area });
          } catch (err) {
            reject(err);
          }
        }, reject);
      });
    }).catch(fail);
  }

  function listAction() {
    var type = LIST_AREAS[state.area];
    if (!type || !state.widget) throw new Error('the list action needs a list area');
    expectTrue(type + '.selected', state.widget.callbacks[type].selected());
  }

  function fromHash() {
    var p = new URLSearchParams(window.location.hash.slice(1));
    return { area: p.get('area') || 'lcard', entityId: p.get('id') ? Number(p.get('id')) : undefined, lang: p.get('lang') || 'en', userId: p.get('user') ? Number(p.get('user')) : undefined };
  }

  function setHash(changes) {
    var p = new URLSearchParams(window.location.hash.slice(1));
    _.each(changes, function (v, k) { p.set(k, v); });
    window.location.hash = p.toString();
  }

  function ready() {
    return fetch('/dev/config.json').then(function (r) { return r.json(); }).then(function (c) {
      state.config = c;
      _.each(c.users, function (u) { $('#host-user').append($('<option>').val(String(u.id)).text(u.name + (u.isAdmin ? ' (admin)' : ''))); });
      $('#left-menu a').on('click', function (e) {
        e.preventDefault();
        setHash({ area: $(this).data('area') });
      });
      $('#host-user').on('change', function () { setHash({ user: $(this).val() }); });
      $('#host-lang').on('change', function () { setHash({ lang: $(this).val() }); });
      return c;
    });
  }

  var readyPromise = null;
  window.KommoHost = {
    ready: function () { return readyPromise; },
    boot: function (cfg) { return readyPromise.then(function () { return boot(cfg); }); },
    listAction: listAction,
    state: state,
  };
  $(function () {
    readyPromise = ready();
    // The browser tests boot each screen themselves (?noboot); a person gets the screen in the URL.
    if (/[?&]noboot/.test(window.location.search)) return;
    readyPromise.then(function () {
      $(window).on('hashchange', function () { boot(fromHash()).catch(function (e) { console.error(e); }); });
      return boot(fromHash());
    }).catch(function (e) { console.error(e); });
  });
})();
