// An SMSC written with the npm package `smpp` (an SMPP implementation independent of smsgw's),
// for smpp_interop_test: accepts binds, answers submit_sm with an id, logs what it decoded of
// each submit_sm as one JSON line on stdout (text, data_coding, the UDH), and sends a
// delivery receipt for each, logging its deliver_sm_resp.
//   node smpp_peer.js PORT
'use strict';
const smpp = require('smpp');

const port = Number(process.argv[2]);
let nextId = 0x5A000;

function log(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

const server = smpp.createServer({}, (session) => {
  for (const bind of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
    session.on(bind, (pdu) => {
      session.send(pdu.response());
      log({event: 'bind', command: bind, system_id: pdu.system_id});
    });
  }
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('submit_sm', (pdu) => {
    const id = (nextId++).toString(16);
    const sm = pdu.short_message || {};
    const udh = (sm.udh || []).map((u) => Buffer.from(u).toString('hex'));
    log({event: 'submit_sm', id, to: pdu.destination_addr, data_coding: pdu.data_coding, esm_class: pdu.esm_class,
         udh, text: typeof sm.message === 'string' ? sm.message : Buffer.from(sm.message || []).toString('hex')});
    session.send(pdu.response({message_id: id}));
    setTimeout(() => {
      const text = `id:${id} sub:001 dlvrd:001 submit date:2611301200 done date:2611301201 stat:DELIVRD err:000 text:`;
      session.send(new smpp.PDU('deliver_sm', {
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        short_message: text,
        receipted_message_id: id,
        message_state: 2,
      }), (resp) => log({event: 'receipt_acked', id, command_status: resp.command_status}));
    }, 50);
  });
  session.on('error', () => {});
});
server.listen(port, '127.0.0.1', () => log({event: 'listening', port}));
